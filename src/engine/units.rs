//! Forms the units of evaluation from what was read: Terraform roots with their tfvars,
//! ARM templates with their parameters, Bicep roots with their `.bicepparam` files,
//! Kubernetes manifests; and the build files (Dockerfiles, pipelines) beside them.

use super::read::Read;
use crate::arm;
use crate::bicep::units as bicep;
use crate::discover::{self, FileKind};
use crate::finding::Problem;
use crate::source::{FileId, Sources};
use crate::terraform::files::{Files, Role};
use crate::terraform::module::ModuleDirs;
use crate::terraform::roots::Dirs;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub(super) enum Unit {
    Terraform {
        dir: PathBuf,
        files: Vec<FileId>,
        tfvars: Vec<FileId>,
        /// Its Terraform plan, the oracle over its static evaluation.
        plan: Option<FileId>,
    },
    Arm {
        template: FileId,
        parameters: Option<FileId>,
    },
    Manifests(FileId),
    /// A Terraform plan or state whose configuration is not in the scan.
    Plan(FileId),
    Bicep(bicep::Unit),
}

pub(super) struct Units {
    pub units: Vec<Unit>,
    /// The unit each file belongs to (a module file: the first unit that calls it).
    pub unit_of_file: HashMap<FileId, usize>,
    /// Files read as something aksguard checks.
    pub scanned: HashSet<FileId>,
    /// Dockerfiles and pipelines.
    pub build_files: Vec<(FileId, FileKind)>,
    /// Unrendered Helm templates: announced once per chart (AG005).
    pub unrendered: Vec<FileId>,
    /// The local module directories Terraform roots may call.
    pub module_dirs: Arc<ModuleDirs>,
    /// Every Terraform file of the scan, parsed once; each root takes its own files.
    pub terraform: Mutex<Files>,
    /// The Bicep files, their syntax trees and registry modules.
    pub bicep: bicep::Units,
    /// (restored registry module, the Bicep file that calls it): the module deploys into
    /// its caller's landing zone.
    pub registry_callers: Vec<(FileId, FileId)>,
    /// Terraform plans and states (`terraform show -json`).
    pub plans: HashMap<FileId, crate::plan::Plan>,
}

pub(super) fn form(read: &mut Read) -> Units {
    let Read {
        sources,
        kinds,
        errors,
        var_files,
        cli_parameters,
        cli_plans,
        listed,
        ..
    } = read;
    let cli_parameters = *cli_parameters;
    let mut scanned: HashSet<FileId> = HashSet::with_capacity(kinds.len());
    // Terraform plans and states (`terraform show -json`), told by their first bytes.
    let json_files: Vec<FileId> = kinds
        .iter()
        .filter(|(_, k)| *k == FileKind::Json)
        .map(|(id, _)| *id)
        .collect();
    let mut plans = crate::plan::read_plans(&json_files, sources, errors, &mut scanned);
    let cli_plans = crate::plan::read_named_plans(cli_plans, sources, errors, &mut plans);
    // JSON files: decide by content which are templates and which are parameters files.
    let json_kinds: Vec<(FileId, Result<arm::JsonKind, arm::ArmError>)> = kinds
        .par_iter()
        .filter(|(id, k)| *k == FileKind::Json && !sources.get(*id).holds_secrets)
        .map(|(id, _)| {
            (
                *id,
                arm::classify_file(sources.get(*id)).map_err(|e| e.in_file(*id)),
            )
        })
        .collect();
    let mut templates = Vec::new();
    let mut json_manifests: Vec<FileId> = Vec::new();
    let mut parameter_files: HashMap<PathBuf, FileId> = HashMap::new();
    for (id, kind) in json_kinds {
        match kind {
            Ok(arm::JsonKind::Template) => {
                templates.push(id);
                scanned.insert(id);
            }
            Ok(arm::JsonKind::Parameters) => {
                parameter_files.insert(sources.get(id).path.clone(), id);
                scanned.insert(id);
            }
            // Kubernetes objects are sometimes kept as JSON; JSON is YAML.
            Ok(arm::JsonKind::Other) => {
                let text = &sources.get(id).text;
                if text.contains("\"apiVersion\"") && text.contains("\"kind\"") {
                    scanned.insert(id);
                    json_manifests.push(id);
                }
            }
            Err(e) => {
                scanned.insert(id);
                errors.push(Problem::in_file(sources, e.loc, e.message));
            }
        }
    }

    let mut bicep = bicep::units(sources, kinds, errors);
    scanned.extend(bicep.scanned.iter().copied());
    // A template compiled from a `.bicep` file that is scanned too: reported once, on the
    // `.bicep` file (unless that does not parse, when the template is all there is).
    templates.retain(|id| {
        let path = sources.get(*id).path.with_extension("bicep");
        let readable_source = bicep
            .by_path
            .get(&path)
            .is_some_and(|b| !bicep.broken.contains(b));
        // A template a `module` statement deploys is evaluated through its callers.
        let called = bicep.called_templates.contains(id);
        !(called || readable_source && arm::compiled_by_bicep(sources.get(*id)))
    });

    let mut units: Vec<Unit> = Vec::new();
    let mut terraform_dirs = Dirs::default();
    let mut manifests: Vec<FileId> = json_manifests;
    let mut build_files: Vec<(FileId, FileKind)> = Vec::new();
    let mut unrendered: Vec<FileId> = Vec::new();
    // What each YAML file holds, told by its text: in parallel, as a large scan has
    // thousands.
    let yaml_kinds: HashMap<FileId, YamlKind> = kinds
        .par_iter()
        .filter(|(_, kind)| *kind == FileKind::Yaml)
        .map(|(id, _)| (*id, YamlKind::of(sources.get(*id))))
        .collect();
    // Only Terraform files are grouped by directory: the others need no copy of theirs.
    let dir_of = |id: FileId| sources.get(id).path.parent().unwrap_or(Path::new(""));
    for (id, kind) in kinds.iter() {
        match kind {
            FileKind::Terraform => terraform_dirs.add(dir_of(*id), *id, false),
            FileKind::TfVars => terraform_dirs.add(dir_of(*id), *id, true),
            // Named variable files are not applied: said by `unchecked` (AG006).
            FileKind::Json | FileKind::Bicep | FileKind::BicepParam | FileKind::VarFile => {}
            FileKind::Dockerfile | FileKind::Pipeline => {
                scanned.insert(*id);
                build_files.push((*id, *kind));
            }
            FileKind::Yaml => match yaml_kinds.get(id) {
                Some(YamlKind::Pipeline) => {
                    scanned.insert(*id);
                    build_files.push((*id, FileKind::Pipeline));
                }
                Some(YamlKind::Manifests) => {
                    scanned.insert(*id);
                    manifests.push(*id);
                }
                // Unrendered Helm templates are skipped with a notice per chart.
                Some(YamlKind::Unrendered) => unrendered.push(*id),
                // YAML that is not Kubernetes is skipped quietly.
                Some(YamlKind::Other) | None => {}
            },
        }
    }
    // Every Terraform file, parsed once (in parallel) for everything below and evaluation.
    let terraform_files: Vec<(FileId, Role)> = terraform_dirs
        .files()
        .flat_map(|(files, tfvars)| {
            let files = files.iter().map(|id| (*id, Role::Configuration));
            files.chain(tfvars.iter().map(|id| (*id, Role::Variables)))
        })
        .chain(var_files.iter().map(|id| (*id, Role::Variables)))
        .collect();
    let mut terraform = Files::parse_all(sources, &terraform_files);
    for id in var_files.iter() {
        terraform.share(sources, *id);
    }
    // Local module calls: a directory only called as a module is evaluated through its
    // callers, not as a root of its own (DESIGN §4).
    let roots = crate::terraform::roots::roots(
        &mut terraform_dirs,
        sources,
        &mut terraform,
        errors,
        listed,
    );
    let module_dirs = Arc::new(roots.module_dirs);
    for (dir, (files, mut tfvars)) in terraform_dirs.into_sorted() {
        if files.is_empty() {
            continue;
        }
        scanned.extend(files.iter().chain(&tfvars));
        if !roots.roots.contains(&dir) {
            // Only called as a module: evaluated through its callers, but its syntax
            // errors are reported once, here.
            for id in &files {
                if let Some(Err(e)) = terraform.tree(sources, *id) {
                    errors.push(Problem::in_file(sources, e.loc, e.message.clone()));
                }
            }
            continue;
        }
        // terraform.tfvars(.json) first, then *.auto.tfvars(.json) in lexical order, then
        // the `--var-file`s: later ones win.
        tfvars.sort_by_key(|id| {
            let name = sources
                .get(*id)
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (!name.starts_with("terraform.tfvars"), name)
        });
        tfvars.extend(var_files.iter());
        units.push(Unit::Terraform {
            dir,
            files,
            tfvars,
            plan: None,
        });
    }
    scanned.extend(roots.module_files.iter().copied());
    let mut templates_per_dir: HashMap<&Path, usize> = HashMap::new();
    for template in &templates {
        if let Some(dir) = sources.get(*template).path.parent() {
            *templates_per_dir.entry(dir).or_default() += 1;
        }
    }
    // Finding a template's parameters file looks at its directory's names: in parallel.
    let arm_units: Vec<Unit> = templates
        .into_par_iter()
        .map(|template| {
            let path = &sources.get(template).path;
            let only = path
                .parent()
                .is_some_and(|d| templates_per_dir.get(d) == Some(&1));
            let parameters = cli_parameters.or_else(|| {
                discover::parameters_candidates(path, only, listed)
                    .into_iter()
                    .find_map(|p| parameter_files.get(&p).copied())
            });
            Unit::Arm {
                template,
                parameters,
            }
        })
        .collect();
    units.extend(arm_units);

    units.extend(manifests.into_iter().map(Unit::Manifests));
    let alone = attach_plans(&mut units, &plans, &cli_plans, &terraform, sources, errors);
    units.extend(alone.into_iter().map(Unit::Plan));
    let first_bicep_unit = units.len();
    // A `.bicep` root without a `.bicepparam` file takes a JSON parameters file the way a
    // template does (`az deployment ... --template-file main.bicep --parameters
    // main.parameters.json`).
    // In parallel, as the templates' are.
    let bicep_units: Vec<Unit> = std::mem::take(&mut bicep.units)
        .into_par_iter()
        .map(|unit| {
            let parameters = unit.parameters.or_else(|| {
                let path = sources.get(unit.root).path.with_extension("json");
                cli_parameters.or_else(|| {
                    discover::parameters_candidates(&path, false, listed)
                        .into_iter()
                        .find_map(|p| parameter_files.get(&p).copied())
                })
            });
            Unit::Bicep(bicep::Unit {
                root: unit.root,
                parameters,
            })
        })
        .collect();
    units.extend(bicep_units);

    let mut unit_of_file: HashMap<FileId, usize> = HashMap::with_capacity(sources.len());
    for (index, unit) in units.iter().enumerate() {
        match unit {
            Unit::Terraform {
                dir,
                files,
                tfvars,
                plan,
            } => {
                for id in files.iter().chain(tfvars).chain(plan) {
                    unit_of_file.insert(*id, index);
                }
                // Module files belong to the first root that calls them.
                for id in
                    crate::terraform::roots::reachable_module_files(dir, &roots.calls, &module_dirs)
                {
                    unit_of_file.entry(id).or_insert(index);
                }
            }
            Unit::Arm {
                template,
                parameters,
            } => {
                unit_of_file.insert(*template, index);
                if let Some(p) = parameters {
                    unit_of_file.entry(*p).or_insert(index);
                }
            }
            Unit::Manifests(file) | Unit::Plan(file) => {
                unit_of_file.insert(*file, index);
            }
            Unit::Bicep(bicep::Unit { root, parameters }) => {
                unit_of_file.entry(*root).or_insert(index);
                if let Some(p) = parameters {
                    unit_of_file.entry(*p).or_insert(index);
                }
            }
        }
    }
    // A Bicep module belongs to the unit of the first root that calls it.
    for (offset, root) in bicep.reach.iter().enumerate() {
        for file in root {
            unit_of_file
                .entry(*file)
                .or_insert(first_bicep_unit + offset);
        }
    }
    // A restored registry module lies outside every landing zone: it deploys into its
    // caller's.
    let registry_callers: Vec<(FileId, FileId)> = bicep
        .registry
        .iter()
        .filter_map(|((caller, _), cached)| {
            Some((*bicep.by_path.get(cached)?, *bicep.by_path.get(caller)?))
        })
        .collect();
    Units {
        units,
        unit_of_file,
        scanned,
        build_files,
        unrendered,
        module_dirs,
        terraform: Mutex::new(terraform),
        bicep,
        registry_callers,
        plans,
    }
}

/// What a `.yaml` / `.yml` file holds.
enum YamlKind {
    /// A pipeline in a pipeline directory (`.github/workflows`, ...).
    Pipeline,
    Manifests,
    /// A Helm template before rendering.
    Unrendered,
    Other,
}

impl YamlKind {
    fn of(file: &crate::source::SourceFile) -> YamlKind {
        if crate::build::pipeline::in_pipeline_dir(&file.path)
            && crate::build::pipeline::has_pipeline_keys(&file.text)
        {
            YamlKind::Pipeline
        } else if crate::k8s::looks_like_manifests(&file.text) {
            YamlKind::Manifests
        } else if crate::k8s::charts::is_unrendered_template(&file.text) {
            YamlKind::Unrendered
        } else {
            YamlKind::Other
        }
    }
}

/// Gives each Terraform root its plan: one given with `--plan` (to the only root, or the
/// root whose configuration the plan's is), else a plan file in the root's directory.
/// Returns the plans checked alone, in order.
fn attach_plans(
    units: &mut [Unit],
    plans: &HashMap<FileId, crate::plan::Plan>,
    named: &[FileId],
    terraform: &Files,
    sources: &Sources,
    errors: &mut Vec<Problem>,
) -> Vec<FileId> {
    let mut alone: Vec<FileId> = Vec::new();
    let roots: Vec<usize> = (0..units.len())
        .filter(|&i| matches!(units[i], Unit::Terraform { .. }))
        .collect();
    for id in named {
        let Some(plan) = plans.get(id) else { continue };
        let matching: Vec<usize> = roots
            .iter()
            .copied()
            .filter(|&i| match &units[i] {
                Unit::Terraform {
                    files, plan: None, ..
                } => plan.declares(
                    files
                        .iter()
                        .map(|f| terraform.tree(sources, *f).and_then(|t| t.as_deref().ok())),
                ),
                _ => false,
            })
            .collect();
        match matching.as_slice() {
            [root] => {
                if let Unit::Terraform { plan, .. } = &mut units[*root] {
                    *plan = Some(*id);
                }
            }
            _ => {
                errors.push(Problem::parse_error(
                    sources.get(*id).display.clone(),
                    None,
                    format!(
                        "`--plan {}` is the plan of no single scanned Terraform root ({} roots \
                         declare its resources and modules), so it is checked alone: scan the \
                         root it was made from",
                        sources.get(*id).display,
                        matching.len()
                    ),
                ));
                alone.push(*id);
            }
        }
    }
    let mut in_scan: Vec<FileId> = plans
        .keys()
        .copied()
        .filter(|id| !named.contains(id))
        .collect();
    in_scan.sort_unstable();
    for id in in_scan {
        let dir = sources.get(id).path.parent().map(Path::to_path_buf);
        let root = units.iter_mut().find(
            |u| matches!(u, Unit::Terraform { dir: d, plan: None, .. } if Some(d) == dir.as_ref()),
        );
        match root {
            Some(Unit::Terraform { plan, .. }) => *plan = Some(id),
            _ => alone.push(id),
        }
    }
    alone
}

/// The landing zone of every file of the sources, by index into the zones.
pub(super) fn landing_zones(
    config: &crate::config::Config,
    sources: &Sources,
) -> (Vec<crate::model::Zone>, Vec<usize>) {
    use crate::model::Zone;
    let mut zones: Vec<Zone> = config
        .landing_zones
        .iter()
        .map(|z| Zone {
            name: z.name.clone(),
            corp: matches!(z.archetype, crate::config::Archetype::Corp),
            subscription: z.subscription.clone(),
        })
        .collect();
    let root = config.default_zone_name();
    let fallback = zones.len();
    zones.push(Zone {
        name: root,
        corp: false,
        subscription: None,
    });
    // A zone is numbered by the first declaration of its name, looked up once per file: a
    // scan of 5,000 zones would otherwise compare every file with every zone's name.
    let mut first_of_name: HashMap<&str, usize> = HashMap::new();
    for (index, zone) in config.landing_zones.iter().enumerate() {
        first_of_name.entry(zone.name.as_str()).or_insert(index);
    }
    let files: Vec<&crate::source::SourceFile> = sources.iter().collect();
    let zone_of_file = files
        .par_iter()
        .map(|f| {
            config
                .zone_for(&f.path)
                .and_then(|zone| first_of_name.get(zone.name.as_str()).copied())
                .unwrap_or(fallback)
        })
        .collect();
    (zones, zone_of_file)
}
