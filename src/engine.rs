//! The one entry point shared by every front end: discover, parse and adapt in parallel,
//! build the model, run the rules in parallel, and order the findings.

use crate::arm;
use crate::config::{Archetype, Config};
use crate::discover::{self, FileKind};
use crate::finding::Finding;
use crate::model::field::State;
use crate::model::raw::{Format, RawResource};
use crate::model::{Model, Zone};
use crate::rules::{self, Context, Settings};
use crate::source::{FileId, Loc, Sources};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::input::MAX_FILE_BYTES;

/// The most findings one scan reports. The 5,000-zone benchmark corpus gives about
/// 130,000; past this many, memory, not the user, is what the findings are about.
pub const MAX_FINDINGS: usize = 250_000;

/// An engine diagnostic (AG001 parse error) rather than a rule finding.
#[derive(Clone, Debug)]
pub struct Problem {
    pub rule: &'static str,
    pub slug: &'static str,
    pub path: String,
    pub at: Option<Loc>,
    pub message: String,
}

pub struct Scan {
    pub sources: Sources,
    pub findings: Vec<Finding>,
    pub errors: Vec<Problem>,
    pub resources: usize,
    /// Files that were read as Terraform, tfvars, ARM templates or parameters.
    pub files: usize,
    pub duration: Duration,
    /// Wall time of each phase, for `--statistics`.
    pub phases: Vec<(&'static str, Duration)>,
    /// How the AKS/ACR security fields of the model resolved, for `--statistics`.
    pub field_states: FieldStates,
    /// Findings of the evaluated units left out because they lie in files not named on the
    /// command line (a pre-commit hook names the changed files).
    pub not_shown: NotShown,
}

/// What a scan of named files left out, and how to see it.
#[derive(Clone, Debug, Default)]
pub struct NotShown {
    /// Unsuppressed findings in other files of the named files' units.
    pub findings: usize,
    /// The paths to give `aksguard check` to see them (display form).
    pub paths: Vec<String>,
    /// Those findings, so a baseline can still mark the ones it knows (they are then not
    /// counted).
    pub hidden: Vec<Finding>,
}

impl NotShown {
    /// One line for every output format: how many and the command that shows them.
    pub fn line(&self) -> Option<String> {
        if self.findings == 0 {
            return None;
        }
        let (count, verb) = match self.findings {
            1 => ("1 finding".to_string(), "lies"),
            n => (format!("{n} findings"), "lie"),
        };
        Some(format!(
            "{count} of the evaluated units {verb} in files not named on the command line and \
             {} not shown: `aksguard check {}` reports {}",
            if self.findings == 1 { "is" } else { "are" },
            self.paths.join(" "),
            if self.findings == 1 { "it" } else { "them" },
        ))
    }
}

/// Counts of the security fields the AKS*/ACR* rules read (clusters, inline and separate
/// node pools, registries, diagnostic settings), by state, per format: how much of the configuration the
/// evaluators could decide.
#[derive(Clone, Debug, Default)]
pub struct FieldStates {
    /// (format name, [set, default, unknown, subjects]): subjects are the clusters, node
    /// pools, registries and diagnostic settings the fields belong to.
    pub by_format: BTreeMap<&'static str, [usize; 4]>,
    /// Diagnostic settings: [all, linked to a cluster, target unknown offline] (AKS019).
    pub diagnostic_settings: [usize; 3],
}

impl FieldStates {
    fn name(format: Format) -> &'static str {
        match format {
            Format::Terraform => "terraform",
            Format::Arm => "arm",
            Format::Bicep => "bicep",
            Format::Kubernetes => "kubernetes",
        }
    }

    pub fn of(model: &Model) -> FieldStates {
        let mut states = FieldStates::default();
        let mut last_subject = None;
        for_each_field(model, &mut |subject, format, state, _| {
            let name = Self::name(format);
            let counts = states.by_format.entry(name).or_default();
            if last_subject != Some(subject as *const str) {
                last_subject = Some(subject as *const str);
                counts[3] += 1;
            }
            counts[match state {
                State::Set => 0,
                State::Default => 1,
                State::Unknown => 2,
            }] += 1;
        });
        for setting in &model.diagnostic_settings {
            states.diagnostic_settings[0] += 1;
            states.diagnostic_settings[1] += usize::from(setting.cluster.is_some());
            states.diagnostic_settings[2] += usize::from(setting.target.is_unknown());
        }
        states
    }
}

/// Every AKS/ACR security field of the model with its subject's address, format, state
/// and location (the fields the AKS*/ACR* rules read, diagnostic settings' targets and log
/// categories included).
fn for_each_field(model: &Model, visit: &mut dyn FnMut(&str, Format, State, Loc)) {
    macro_rules! fields {
        ($subject:expr, $address:expr, $format:expr, [$($field:ident),*]) => {
            $( visit($address, $format, $subject.$field.state, $subject.$field.at); )*
        };
    }
    for c in &model.clusters {
        fields!(
            c,
            &c.address,
            c.format,
            [
                private_cluster,
                authorized_ip_ranges,
                entra_integration,
                entra_managed,
                azure_rbac,
                local_accounts_disabled,
                kubernetes_rbac,
                azure_policy,
                network_policy,
                workload_identity,
                oidc_issuer,
                keyvault_csi,
                keyvault_rotation,
                upgrade_channel,
                node_os_channel,
                kubernetes_version,
                support_plan,
                defender,
                ssh_key,
                outbound_type
            ]
        );
    }
    for p in model
        .clusters
        .iter()
        .flat_map(|c| c.pools.iter())
        .chain(&model.node_pools)
    {
        fields!(
            p,
            &p.address,
            p.format,
            [
                system,
                os_type,
                os_sku,
                host_encryption,
                public_ip,
                orchestrator_version,
                taints,
                labels,
                critical_addons_only,
                ssh_access
            ]
        );
    }
    for r in &model.registries {
        fields!(
            r,
            &r.resource.address,
            r.resource.format,
            [
                sku,
                public_network,
                default_action,
                admin_user,
                anonymous_pull,
                content_trust,
                retention,
                quarantine,
                bypass
            ]
        );
    }
    for d in &model.diagnostic_settings {
        fields!(d, &d.resource.address, d.resource.format, [target, audit]);
    }
}

/// Inputs from the command line beyond the paths and the configuration.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var name=value`, for every Terraform root, after every variable file.
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`, for every Terraform root, after its own tfvars.
    pub var_files: Vec<PathBuf>,
    /// `--parameters FILE`, for every ARM template (instead of a sibling parameters file).
    pub parameters: Option<PathBuf>,
    /// `--plan FILE`: Terraform plan JSON, each of the scanned root it was made from.
    pub plans: Vec<PathBuf>,
    /// `--unknown=warn`: an AG003 finding wherever a rule could not decide on an unknown value.
    pub unknown_warn: bool,
}

enum Unit {
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
    /// A root `.bicep` file, once per `.bicepparam` file that is `using` it (or once alone).
    Bicep {
        root: FileId,
        parameters: Option<FileId>,
    },
}

/// The `.bicep` files of a scan, by absolute path, for module calls.
struct BicepFiles<'s> {
    sources: &'s Sources,
    by_path: HashMap<PathBuf, FileId>,
    trees: HashMap<FileId, tree_sitter::Tree>,
    registry: HashMap<(PathBuf, String), PathBuf>,
}

impl crate::bicep::Files for BicepFiles<'_> {
    fn get(&self, path: &Path) -> Option<(FileId, &str)> {
        let id = *self.by_path.get(path)?;
        Some((id, self.sources.get(id).text.as_str()))
    }
    fn tree(&self, file: FileId) -> Option<&tree_sitter::Tree> {
        self.trees.get(&file)
    }
    fn registry_module(&self, from: &Path, reference: &str) -> Option<PathBuf> {
        // `from` as the caller spelled it; the table knows the file by its path on disk.
        let from = match self.by_path.get(from) {
            Some(id) => self.sources.get(*id).path.clone(),
            None => from.to_path_buf(),
        };
        self.registry.get(&(from, reference.to_string())).cloned()
    }
}

/// Editor buffers that stand in for the files on disk at these (absolute) paths: the
/// language server's open documents, or `--fix` trying its edits before writing them.
pub type Buffers = HashMap<PathBuf, String>;

pub fn lint(paths: &[PathBuf], config: &Config) -> Scan {
    lint_full(paths, config, &Options::default(), &Buffers::new())
}

pub fn lint_with(paths: &[PathBuf], config: &Config, options: &Options) -> Scan {
    lint_full(paths, config, options, &Buffers::new())
}

pub fn lint_with_buffers(paths: &[PathBuf], config: &Config, buffers: &Buffers) -> Scan {
    lint_full(paths, config, &Options::default(), buffers)
}

/// Lints with the command line's options, reading `buffers` instead of the files on disk
/// at those paths.
pub fn lint_full(paths: &[PathBuf], config: &Config, options: &Options, buffers: &Buffers) -> Scan {
    let started = Instant::now();
    let mut phases = Vec::new();
    let mut lap = Instant::now();
    let mut phase = |name: &'static str| {
        phases.push((name, lap.elapsed()));
        lap = Instant::now();
    };
    let mut found = discover::discover(paths, config);
    // An editor's unsaved buffer is named by a path no file has: its text is the file.
    let (unsaved, missing): (Vec<PathBuf>, Vec<PathBuf>) = std::mem::take(&mut found.missing)
        .into_iter()
        .partition(|p| buffers.contains_key(p) && discover::kind_of(p).is_some());
    found.missing = missing;
    found.files.extend(
        unsaved
            .into_iter()
            .filter_map(|p| discover::kind_of(&p).map(|kind| (p, kind))),
    );
    phase("discover");
    let mut errors: Vec<Problem> = found
        .missing
        .iter()
        .map(|p| Problem {
            rule: rules::PARSE_ERROR.0,
            slug: rules::PARSE_ERROR.1,
            path: p.display().to_string(),
            at: None,
            message: "no such file or directory".to_string(),
        })
        .collect();
    errors.extend(found.unreadable.iter().map(|(path, reason)| Problem {
        rule: rules::PARSE_ERROR.0,
        slug: rules::PARSE_ERROR.1,
        path: crate::source::display_path(path),
        at: None,
        message: format!("cannot read this path, so nothing in it was scanned: {reason}"),
    }));

    let read: Vec<(PathBuf, FileKind, Result<String, Unreadable>)> = found
        .files
        .par_iter()
        .cloned()
        .map(|(path, kind)| {
            if let Some(text) = buffers.get(&path) {
                return (path, kind, Ok(crate::input::strip_bom(text.clone())));
            }
            let text = if path.as_os_str() == "-" {
                crate::input::read_stdin()
            } else {
                crate::input::read_text(&path)
            };
            // Terraform plans are read up to their own, larger limit.
            let text = match text {
                Err(crate::input::ReadError::TooLarge(_)) if kind == FileKind::Json => {
                    crate::input::read_plan_text(&path)
                }
                text => text,
            };
            let text = text.map_err(Unreadable::from);
            (path, kind, text)
        })
        .collect();

    let mut sources = Sources::default();
    // Files named by `--var-file` and `--parameters`: read whole, reported like any other.
    let mut read_input = |sources: &mut Sources, path: &PathBuf| -> Option<FileId> {
        match crate::input::read_text(path) {
            Ok(text) => Some(sources.add(discover::absolute(path), text)),
            Err(e) => {
                errors.push(Problem {
                    rule: rules::PARSE_ERROR.0,
                    slug: rules::PARSE_ERROR.1,
                    path: path.display().to_string(),
                    at: None,
                    message: format!("cannot read {}: {e}", path.display()),
                });
                None
            }
        }
    };
    let var_files: Vec<FileId> = options
        .var_files
        .iter()
        .filter_map(|p| read_input(&mut sources, p))
        .collect();
    let cli_parameters: Option<FileId> = options
        .parameters
        .as_ref()
        .and_then(|p| read_input(&mut sources, p));
    let cli_plans: Vec<FileId> = options
        .plans
        .iter()
        .filter_map(|path| match crate::input::read_plan_text(path) {
            Ok(text) => Some(sources.add(discover::absolute(path), text)),
            Err(e) => {
                errors.push(Problem {
                    rule: rules::PARSE_ERROR.0,
                    slug: rules::PARSE_ERROR.1,
                    path: path.display().to_string(),
                    at: None,
                    message: format!("cannot read the plan {}: {e}", path.display()),
                });
                None
            }
        })
        .collect();
    let mut kinds: Vec<(FileId, FileKind)> = Vec::new();
    let mut scanned: HashSet<FileId> = HashSet::new();
    for (path, kind, text) in read {
        match text {
            Ok(text) => {
                let id = sources.add(path, text);
                kinds.push((id, kind));
            }
            Err(Unreadable { message, shown }) => {
                let display = crate::source::display_path(&path);
                let at = shown.map(|(text, offset)| {
                    let id = sources.add(path, text);
                    Loc::new(id, offset, offset + "\u{FFFD}".len())
                });
                errors.push(Problem {
                    rule: rules::PARSE_ERROR.0,
                    slug: rules::PARSE_ERROR.1,
                    path: display,
                    at,
                    message,
                })
            }
        }
    }

    // Terraform plans and states (`terraform show -json`), told by their first bytes.
    let mut plans = crate::plan::read_plans(
        &kinds_of_json(&kinds),
        &mut sources,
        &mut errors,
        &mut scanned,
    );
    let cli_plans =
        crate::plan::read_named_plans(&cli_plans, &mut sources, &mut errors, &mut plans);
    // JSON files: decide by content which are templates and which are parameters files.
    let json_kinds: Vec<(FileId, Result<arm::JsonKind, arm::ArmError>)> = kinds
        .par_iter()
        .filter(|(id, k)| *k == FileKind::Json && !sources.get(*id).holds_secrets)
        .map(|(id, _)| {
            (
                *id,
                arm::classify(&sources.get(*id).text).map_err(|e| e.in_file(*id)),
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
                errors.push(problem(&sources, e.loc, e.message));
            }
        }
    }

    let bicep = bicep_units(&mut sources, &mut kinds, &mut errors);
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
        !(called || readable_source && arm::compiled_by_bicep(&sources.get(*id).text))
    });

    let mut units: Vec<Unit> = Vec::new();
    let mut terraform_dirs: BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)> = BTreeMap::new();
    let mut manifests: Vec<FileId> = json_manifests;
    let mut build_files: Vec<(FileId, FileKind)> = Vec::new();
    // Unrendered Helm templates: announced once per chart (AG005).
    let mut unrendered: Vec<FileId> = Vec::new();
    for (id, kind) in &kinds {
        let dir = sources
            .get(*id)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        match kind {
            FileKind::Terraform => terraform_dirs.entry(dir).or_default().0.push(*id),
            FileKind::TfVars => terraform_dirs.entry(dir).or_default().1.push(*id),
            FileKind::Json | FileKind::Bicep | FileKind::BicepParam => {}
            FileKind::Dockerfile | FileKind::Pipeline => {
                scanned.insert(*id);
                build_files.push((*id, *kind));
            }
            FileKind::Yaml
                if crate::build::pipeline::in_pipeline_dir(&sources.get(*id).path)
                    && crate::build::pipeline::has_pipeline_keys(&sources.get(*id).text) =>
            {
                scanned.insert(*id);
                build_files.push((*id, FileKind::Pipeline));
            }
            FileKind::Yaml => {
                // YAML that is not Kubernetes is skipped quietly; unrendered Helm templates are
                // skipped with a notice per chart.
                let text = &sources.get(*id).text;
                if crate::k8s::looks_like_manifests(text) {
                    scanned.insert(*id);
                    manifests.push(*id);
                } else if crate::k8s::charts::is_unrendered_template(text) {
                    unrendered.push(*id);
                }
            }
        }
    }
    // Local module calls: a directory only called as a module is evaluated through its
    // callers, not as a root of its own (DESIGN §4).
    let (roots, module_dirs, module_files, module_calls) =
        terraform_roots(&mut terraform_dirs, &mut sources, &mut errors);
    let module_dirs = std::sync::Arc::new(module_dirs);
    for (dir, (files, mut tfvars)) in terraform_dirs {
        if files.is_empty() {
            continue;
        }
        scanned.extend(files.iter().chain(&tfvars));
        if !roots.contains(&dir) {
            // Only called as a module: evaluated through its callers, but its syntax
            // errors are reported once, here.
            for id in &files {
                let file = sources.get(*id);
                let name = file
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if let Err(e) = crate::terraform::parse(*id, &name, &file.text) {
                    errors.push(problem(&sources, e.loc, e.message));
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
        tfvars.extend(&var_files);
        units.push(Unit::Terraform {
            dir,
            files,
            tfvars,
            plan: None,
        });
    }
    scanned.extend(module_files.iter().copied());
    let mut templates_per_dir: HashMap<PathBuf, usize> = HashMap::new();
    for template in &templates {
        if let Some(dir) = sources.get(*template).path.parent() {
            *templates_per_dir.entry(dir.to_path_buf()).or_default() += 1;
        }
    }
    for template in templates {
        let path = &sources.get(template).path;
        let only = path
            .parent()
            .is_some_and(|d| templates_per_dir.get(d) == Some(&1));
        let parameters = cli_parameters.or_else(|| {
            discover::parameters_candidates(path, only)
                .into_iter()
                .find_map(|p| parameter_files.get(&p).copied())
        });
        units.push(Unit::Arm {
            template,
            parameters,
        });
    }

    units.extend(manifests.into_iter().map(Unit::Manifests));
    let alone = attach_plans(&mut units, &plans, &cli_plans, &sources, &mut errors);
    units.extend(alone.into_iter().map(Unit::Plan));
    let first_bicep_unit = units.len();
    // A `.bicep` root without a `.bicepparam` file takes a JSON parameters file the way a
    // template does (`az deployment ... --template-file main.bicep --parameters
    // main.parameters.json`).
    units.extend(bicep.units.into_iter().map(|unit| match unit {
        Unit::Bicep {
            root,
            parameters: None,
        } => {
            let path = sources.get(root).path.with_extension("json");
            let parameters = cli_parameters.or_else(|| {
                discover::parameters_candidates(&path, false)
                    .into_iter()
                    .find_map(|p| parameter_files.get(&p).copied())
            });
            Unit::Bicep { root, parameters }
        }
        unit => unit,
    }));

    let mut unit_of_file: HashMap<FileId, usize> = HashMap::new();
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
                for id in reachable_module_files(dir, &module_calls, &module_dirs) {
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
            Unit::Bicep { root, parameters } => {
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
    let bicep_files = BicepFiles {
        sources: &sources,
        by_path: bicep.by_path,
        trees: bicep.trees,
        registry: bicep.registry,
    };

    phase("read");
    // One evaluation budget for the whole scan: many roots that each spend their own are
    // bounded together.
    let scan = crate::value::ScanBudget::new();
    let mut adapted: Vec<Adapted> = units
        .par_iter()
        .map(|unit| {
            adapt(
                unit,
                &sources,
                &module_dirs,
                options,
                &bicep_files,
                &plans,
                &scan,
            )
        })
        .collect();
    if let Some(message) = scan.unlisted() {
        errors.push(Problem {
            rule: rules::PARSE_ERROR.0,
            slug: rules::PARSE_ERROR.1,
            path: paths
                .first()
                .map(|p| crate::source::display_path(p))
                .unwrap_or_default(),
            at: None,
            message,
        });
    }
    drop_compiled_twins(&units, &mut adapted, &sources, &bicep_files, &bicep.broken);
    let mut resources = Vec::new();
    // Value written by a caller -> every module attribute that uses it (one variable may
    // feed a cluster module and a node pool module).
    let mut redirects: HashMap<Loc, Vec<Loc>> = HashMap::new();
    let mut module_calls: HashMap<(String, FileId), Loc> = HashMap::new();
    // Terraform module call address -> its `module` block header.
    let mut module_headers: HashMap<String, Loc> = HashMap::new();
    let mut registry_calls: HashMap<(String, FileId), (Loc, String)> = HashMap::new();
    let mut registry_references: HashMap<FileId, String> = HashMap::new();
    let mut not_evaluated = crate::k8s::charts::unrendered_charts(&sources, &unrendered);
    for (res, errs, moved, calls, registry, skipped) in adapted {
        not_evaluated.extend(skipped);
        for call in registry {
            registry_references
                .entry(call.template)
                .or_insert_with(|| call.reference.clone());
            registry_calls
                .entry((call.address, call.template))
                .or_insert((call.call, call.reference));
        }
        resources.extend(res);
        errors.extend(errs);
        for (passed, used) in moved {
            let uses = redirects.entry(passed).or_default();
            if !uses.contains(&used) {
                uses.push(used);
            }
        }
        for (address, header, files) in calls {
            module_headers.entry(address.clone()).or_insert(header);
            for file in files {
                module_calls
                    .entry((address.clone(), file))
                    .or_insert(header);
            }
        }
    }
    // A module called by several roots reports its problems once.
    errors.sort_by(|a, b| (&a.path, a.at.map(|l| l.start)).cmp(&(&b.path, b.at.map(|l| l.start))));
    errors.dedup_by(|a, b| a.path == b.path && a.at == b.at && a.message == b.message);

    let (zones, mut zone_of_file) = landing_zones(config, &sources);
    for (cached, caller) in registry_callers {
        zone_of_file[cached as usize] = zone_of_file[caller as usize];
    }
    phase("parse and evaluate");
    let mut model = Model::build(
        &resources,
        |file| unit_of_file.get(&file).copied().unwrap_or(usize::MAX),
        |file| zone_of_file[file as usize],
        zones,
    );
    build_surface(
        &mut model,
        &build_files,
        &sources,
        &zone_of_file,
        &mut errors,
    );
    // The files each resource address is declared in, to tell which module's attribute
    // a redirected finding's resource reads.
    let mut resource_files: HashMap<&str, Vec<FileId>> = HashMap::new();
    for r in &resources {
        resource_files
            .entry(r.address.as_str())
            .or_default()
            .push(r.file);
    }
    let bicep_sources: HashMap<FileId, String> = resources
        .iter()
        .filter(|r| r.compiled_by_bicep)
        .filter_map(|r| {
            let bicep = sources.get(r.file).path.with_extension("bicep");
            bicep
                .is_file()
                .then(|| (r.file, crate::source::display_path(&bicep)))
        })
        .collect();

    let settings = Settings {
        min_prefix_length: config.api_server.min_prefix_length,
        require_private: config.api_server.require_private,
        require_egress_control: config.cluster.require_egress_control,
        minimum_version: config.kubernetes.minimum_version.clone(),
        allowed_registries: config.kubernetes.allowed_registries.clone(),
        sensitivity_label: config.kubernetes.sensitivity_label.clone(),
        sensitive_values: config.kubernetes.sensitive_values.clone(),
        non_root_bases: rules::non_root_set(&config.build.non_root_bases),
        scanners: config.build.scanners.clone(),
    };
    let context = Context {
        model: &model,
        settings: &settings,
    };
    // For AG003: which resource an unknown field belongs to.
    let unknown_warn = options.unknown_warn && config.rule_enabled(rules::UNRESOLVED.0);
    let mut owners: HashMap<Loc, String> = HashMap::new();
    if unknown_warn {
        for_each_field(&model, &mut |address, _, state, at| {
            if state == State::Unknown {
                owners.entry(at).or_insert_with(|| address.to_string());
            }
        });
    }
    phase("model and links");
    // Findings kept so far and those dropped past MAX_FINDINGS: a hostile file of tiny
    // workloads gives millions, which would exhaust memory before the report is written.
    let kept = std::sync::atomic::AtomicUsize::new(0);
    let dropped = std::sync::atomic::AtomicUsize::new(0);
    let mut findings: Vec<Finding> = rules::ALL
        .par_iter()
        .filter(|rule| config.rule_enabled(rule.id))
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            if unknown_warn {
                let ((), reads) = crate::model::field::tracking_unknown_reads(|| {
                    (rule.check)(&context, &mut out)
                });
                unresolved(rule, reads, &owners, &mut out);
            } else {
                (rule.check)(&context, &mut out);
            }
            let before = kept.fetch_add(out.len(), std::sync::atomic::Ordering::Relaxed);
            let room = MAX_FINDINGS.saturating_sub(before);
            if out.len() > room {
                dropped.fetch_add(out.len() - room, std::sync::atomic::Ordering::Relaxed);
                out.truncate(room);
                out.shrink_to_fit();
            }
            out
        })
        .collect();
    let dropped = dropped.into_inner();
    if dropped > 0 {
        errors.push(Problem {
            rule: rules::PARSE_ERROR.0,
            slug: rules::PARSE_ERROR.1,
            path: paths
                .first()
                .map(|p| crate::source::display_path(p))
                .unwrap_or_default(),
            at: None,
            message: format!(
                "{dropped} more findings are not reported: a scan reports at most \
                 {MAX_FINDINGS} (more means generated or hostile input); scan fewer paths \
                 or narrow the rules with --select to see the rest"
            ),
        });
    }
    phase("rules");
    if config.rule_enabled(crate::notice::MODULE_NOT_EVALUATED.0) {
        findings.extend(
            crate::notice::linked_templates(&resources)
                .into_iter()
                .map(crate::notice::NotEvaluated::into_finding),
        );
        findings.extend(
            not_evaluated
                .into_iter()
                .map(crate::notice::NotEvaluated::into_finding),
        );
    }
    for finding in &mut findings {
        // Inside a registry module the caller can change only what it passes: the finding
        // goes to the `module` statement, the restored template is the other place.
        if let Some((call, reference)) =
            registry_calls.get(&(finding.resource.clone(), finding.at.file))
        {
            finding.notes.insert(
                0,
                (
                    finding.at,
                    format!("decided inside the registry module `{reference}` (restored copy)"),
                ),
            );
            finding.at = *call;
            finding.remedy = None;
            finding.source = Some(reference.clone());
        } else if let Some(call) = installed_module_call(finding, &sources, &module_headers) {
            // The same for a Terraform module `terraform init` installed.
            let module = sources.get(finding.at.file).display.clone();
            finding.notes.insert(
                0,
                (
                    finding.at,
                    "decided inside the installed module (.terraform/modules)".to_string(),
                ),
            );
            finding.at = call;
            finding.remedy = None;
            finding.source = Some(module);
        }
        finding.severity = config.severity_for(finding.rule, finding.severity);
        let zone = zone_of_file[finding.at.file as usize];
        finding.landing_zone = model.zones.get(zone).map(|z| z.name.clone());
        if finding.source.is_none() {
            finding.source = bicep_sources.get(&finding.at.file).cloned();
        }
        // A value passed at a module call site: the module attribute is the other place.
        if let Some(used) = redirects
            .get(&finding.at)
            .and_then(|uses| module_use(finding, uses, &resource_files, &sources))
        {
            finding
                .notes
                .push((used, "the module uses the value here".to_string()));
            if finding.source.is_none() {
                let module = registry_references
                    .get(&used.file)
                    .cloned()
                    .unwrap_or_else(|| sources.get(used.file).display.clone());
                finding.source = Some(module);
            }
        } else if let Some(call) = module_call_of(&finding.resource, finding.at.file, &module_calls)
        {
            // A value the module itself decides: the call is the other place.
            finding
                .notes
                .push((call, "the module is called here".to_string()));
        }
    }
    // The configuration joins the sources only when its [[suppress]] entries can be reported.
    let config_file = match (&config.path, config.suppress.is_empty()) {
        (Some(path), false) => crate::input::read_text(path)
            .ok()
            .map(|text| sources.add(path.clone(), text)),
        _ => None,
    };
    let unused = crate::suppress::apply(&mut findings, &sources, &resources, config, config_file);
    findings.extend(
        unused
            .into_iter()
            .filter(|_| config.rule_enabled(crate::suppress::UNUSED.0)),
    );
    findings.sort_by(|a, b| {
        (
            sources.get(a.at.file).display.as_str(),
            a.at.start,
            a.rule,
            &a.resource,
        )
            .cmp(&(
                sources.get(b.at.file).display.as_str(),
                b.at.start,
                b.rule,
                &b.resource,
            ))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.at == b.at && a.resource == b.resource);
    crate::plan::hide_secrets(&plans, &mut findings, &mut errors);
    // Named files (a pre-commit hook's changed files): their units were evaluated whole,
    // only their own findings are shown, and what is left out is counted. Errors are all
    // kept: a file of the unit that cannot be read leaves the named file's values unknown.
    let mut not_shown = NotShown::default();
    if let Some(focus) = &found.focus {
        let mut hidden_files: Vec<&Path> = Vec::new();
        let (shown, hidden): (Vec<Finding>, Vec<Finding>) = findings
            .into_iter()
            .partition(|f| focus.contains(&sources.get(f.at.file).path));
        findings = shown;
        for f in hidden.into_iter().filter(|f| !f.suppressed) {
            hidden_files.push(&sources.get(f.at.file).path);
            not_shown.hidden.push(f);
        }
        not_shown.findings = not_shown.hidden.len();
        if not_shown.findings > 0 {
            not_shown.paths = paths_showing(focus, &hidden_files);
        }
    }
    errors.sort_by(|a, b| (&a.path, a.at.map(|l| l.start)).cmp(&(&b.path, b.at.map(|l| l.start))));

    hide_outside_text(&mut sources, &mut errors, paths, options, config);

    phase("suppressions and order");
    let field_states = FieldStates::of(&model);
    Scan {
        field_states,
        files: scanned.len(),
        resources: model.resource_count,
        sources,
        findings,
        errors,
        duration: started.elapsed(),
        phases,
        not_shown,
    }
}

/// Marks the files read from outside the scanned paths (module and `using` targets,
/// manifests) so no text of theirs is shown, and replaces the messages of their parse
/// errors, which quote the text, by the place alone. Files named on the command line
/// (`--var-file`, `--parameters`, the configuration) are the user's own choice, not outside.
fn hide_outside_text(
    sources: &mut Sources,
    errors: &mut [Problem],
    paths: &[PathBuf],
    options: &Options,
    config: &Config,
) {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths.iter().filter(|p| p.as_os_str() != "-") {
        let path = discover::absolute(path);
        if path.is_dir() {
            roots.push(path);
        } else if let Some(parent) = path.parent() {
            // A named file is read with the rest of its unit, beside it.
            roots.push(parent.to_path_buf());
        }
    }
    roots.extend(options.var_files.iter().map(|p| discover::absolute(p)));
    roots.extend(options.parameters.iter().map(|p| discover::absolute(p)));
    roots.extend(config.path.iter().cloned());
    sources.mark_outside(&roots);
    for error in errors.iter_mut() {
        let Some(at) = error.at else { continue };
        let file = sources.get(at.file);
        if file.outside {
            let (line, column) = file.line_col(at.start);
            error.message = format!(
                "this file, outside the scanned paths, does not parse at line {line}, column \
                 {column}; its text is not shown: run `aksguard check {}` to see the error",
                shell_word(&file.display)
            );
        }
    }
}

/// A path as one shell word: quoted unless it is made of characters no shell reads.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/-+@%=:,".contains(c);
    if text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What to give `aksguard check` so the hidden findings are reported: the closest directory
/// holding the named paths and the hidden files, or, when that is the file system's root,
/// the named paths and the hidden files themselves.
fn paths_showing(focus: &discover::Focus, hidden: &[&Path]) -> Vec<String> {
    let named: Vec<&Path> = focus.named().filter(|p| p.as_os_str() != "-").collect();
    let dir_of = |p: &Path| -> PathBuf {
        if p.is_dir() {
            p.to_path_buf()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    let mut dirs = named.iter().chain(hidden).map(|p| dir_of(p));
    let mut common = dirs.next().unwrap_or_default();
    for dir in dirs {
        while !dir.starts_with(&common) && common.pop() {}
    }
    let shown = |p: &Path| {
        let text = crate::source::display_path(p);
        if text.is_empty() {
            ".".to_string()
        } else {
            shell_word(&text)
        }
    };
    if common.parent().is_some() {
        return vec![shown(&common)];
    }
    let mut out: Vec<String> = named.iter().chain(hidden).map(|p| shown(p)).collect();
    out.dedup();
    out.sort();
    out.dedup();
    out
}

/// Dockerfiles and pipelines, parsed in parallel into the model (their own shapes: build
/// stages and jobs rather than cloud resources).
fn build_surface(
    model: &mut Model,
    files: &[(FileId, FileKind)],
    sources: &Sources,
    zone_of_file: &[usize],
    errors: &mut Vec<Problem>,
) {
    enum Parsed {
        Dockerfile(crate::build::Dockerfile),
        Pipeline(crate::build::Pipeline),
    }
    let parsed: Vec<(Parsed, Vec<crate::build::BuildError>)> = files
        .par_iter()
        .map(|&(id, kind)| {
            let file = sources.get(id);
            let zone = zone_of_file[id as usize];
            if kind == FileKind::Dockerfile {
                let (d, e) = crate::build::load_dockerfile(id, &file.text, &file.display, zone);
                (Parsed::Dockerfile(d), e)
            } else {
                let (p, e) =
                    crate::build::load_pipeline(id, &file.text, &file.path, &file.display, zone);
                (Parsed::Pipeline(p), e)
            }
        })
        .collect();
    for (item, errs) in parsed {
        errors.extend(errs.into_iter().map(|e| problem(sources, e.loc, e.message)));
        match item {
            Parsed::Dockerfile(d) => {
                model.resource_count += d.stages.len();
                model.dockerfiles.push(d);
            }
            Parsed::Pipeline(p) => {
                model.resource_count += p.jobs.len();
                model.pipelines.push(p);
            }
        }
    }
}

/// AG003 unresolved-value: one per unknown field a rule read, naming the expression.
fn unresolved(
    rule: &rules::Rule,
    reads: Vec<crate::model::field::UnknownRead>,
    owners: &HashMap<Loc, String>,
    out: &mut Vec<Finding>,
) {
    let mut seen = HashSet::new();
    for read in reads {
        if !seen.insert(read.at) {
            continue;
        }
        let expr = if read.expr.is_empty() {
            "an expression".to_string()
        } else {
            format!("`{}`", read.expr)
        };
        out.push(Finding {
            rule: rules::UNRESOLVED.0,
            slug: rules::UNRESOLVED.1,
            severity: crate::severity::Severity::Info,
            message: format!(
                "{} ({}) cannot verify `{}`: {expr} is not known offline",
                rule.id, rule.slug, read.attribute
            ),
            at: read.at,
            label: format!("{expr} is unknown"),
            notes: Vec::new(),
            help: "Give the value a default, a tfvars entry, `--var`/`--var-file`, or an ARM \
                   parameters file so aksguard can decide; or run `terraform plan` checks."
                .to_string(),
            resource: owners.get(&read.at).cloned().unwrap_or_default(),
            landing_zone: None,
            source: None,
            suppressed: false,
            suppression: None,
            remedy: None,
        });
    }
}

fn problem(sources: &Sources, at: Loc, message: String) -> Problem {
    Problem {
        rule: rules::PARSE_ERROR.0,
        slug: rules::PARSE_ERROR.1,
        path: sources.get(at.file).display.clone(),
        at: Some(at),
        message,
    }
}

type Adapted = (
    Vec<RawResource>,
    Vec<Problem>,
    Vec<(Loc, Loc)>,
    Vec<(String, Loc, Vec<FileId>)>,
    Vec<crate::bicep::RegistryCall>,
    Vec<crate::notice::NotEvaluated>,
);

/// The `module` block that instantiated the module a finding in `file` lies in: the
/// longest `module.x[...]` prefix of the resource address whose module holds the file.
fn module_call_of(
    resource: &str,
    file: FileId,
    calls: &HashMap<(String, FileId), Loc>,
) -> Option<Loc> {
    if !resource.starts_with("module.") || calls.is_empty() {
        return None;
    }
    // Every prefix ending before a `.` is a candidate; the longest known one wins.
    resource
        .match_indices('.')
        .map(|(i, _)| &resource[..i])
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|prefix| calls.get(&(prefix.to_string(), file)).copied())
}

/// For a finding inside a module `terraform init` installed: the outermost `module` block
/// that leads there and lies in the project's own files.
fn installed_module_call(
    finding: &Finding,
    sources: &Sources,
    headers: &HashMap<String, Loc>,
) -> Option<Loc> {
    let installed =
        |file: FileId| crate::terraform::installed::is_installed(&sources.get(file).path);
    if !installed(finding.at.file) || !finding.resource.starts_with("module.") {
        return None;
    }
    finding
        .resource
        .match_indices('.')
        .filter_map(|(i, _)| headers.get(&finding.resource[..i]))
        .find(|header| !installed(header.file))
        .copied()
}

/// A template Bicep compiled, beside the `.bicep` file it was compiled from under another
/// name (quickstarts keep `main.bicep` and `azuredeploy.json`; Bicep's own samples
/// `main.symbolicnames.json`): the same findings would be reported twice. It is that file's
/// twin when it declares the same resources: with `languageVersion` 2.0, the same symbolic
/// names as a `.bicep` file of its directory (a root or a module: each is evaluated, the
/// module through its callers); otherwise the same types, and the same evaluated names
/// wherever both sides know them, as a root `.bicep` file of its directory. Its resources are
/// dropped and the `.bicep` file reports them once. A compiled template with no such `.bicep`
/// beside it is reported as it is.
fn drop_compiled_twins(
    units: &[Unit],
    adapted: &mut [Adapted],
    sources: &Sources,
    bicep: &BicepFiles<'_>,
    broken: &HashSet<FileId>,
) {
    let dir_of = |file: FileId| sources.get(file).path.parent().map(Path::to_path_buf);
    let mut bicep_roots: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        if let Unit::Bicep { root, .. } = unit {
            if let Some(dir) = dir_of(*root) {
                bicep_roots.entry(dir).or_default().push(index);
            }
        }
    }
    // Every `.bicep` file that parses (roots and modules) by directory, once.
    let mut bicep_files: HashMap<PathBuf, Vec<FileId>> = HashMap::new();
    let mut ids: Vec<FileId> = bicep
        .trees
        .keys()
        .copied()
        .filter(|id| !broken.contains(id))
        .collect();
    ids.sort_unstable();
    for id in ids {
        if let Some(dir) = dir_of(id) {
            bicep_files.entry(dir).or_default().push(id);
        }
    }
    if bicep_files.is_empty() {
        return;
    }
    for (index, unit) in units.iter().enumerate() {
        let Unit::Arm { template, .. } = unit else {
            continue;
        };
        let compiled = &adapted[index].0;
        if compiled.is_empty() || !compiled.iter().all(|r| r.compiled_by_bicep) {
            continue;
        }
        let Some(dir) = dir_of(*template) else {
            continue;
        };
        let twin = match crate::arm::compiled_symbols(&sources.get(*template).text) {
            Some(symbols) => {
                !symbols.is_empty()
                    && bicep_files.get(&dir).into_iter().flatten().any(|id| {
                        let tree = &bicep.trees[id];
                        crate::bicep::declared_symbols(tree, &sources.get(*id).text) == symbols
                    })
            }
            None => {
                let declared = declarations(compiled);
                bicep_roots
                    .get(&dir)
                    .into_iter()
                    .flatten()
                    .any(|&b| same_declarations(&declared, &declarations(&adapted[b].0)))
            }
        };
        if twin {
            adapted[index].0.clear();
            adapted[index].1.clear();
        }
    }
}

/// The resources a deployment declares, by lowercase type: their evaluated names (None when
/// unknown). Deployments (how modules compile) and `existing` references are left out.
fn declarations(resources: &[RawResource]) -> BTreeMap<String, Vec<Option<&str>>> {
    let mut out: BTreeMap<String, Vec<Option<&str>>> = BTreeMap::new();
    for r in resources {
        let kind = r.kind.to_ascii_lowercase();
        if r.existing || kind == "microsoft.resources/deployments" {
            continue;
        }
        let name = r.name.as_deref().filter(|n| !n.contains('?'));
        out.entry(kind).or_default().push(name);
    }
    out
}

/// The same types as often, and names that agree wherever both are known: every known name
/// of one side is either known on the other or paired with one of its unknown names.
fn same_declarations(
    a: &BTreeMap<String, Vec<Option<&str>>>,
    b: &BTreeMap<String, Vec<Option<&str>>>,
) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().all(|(kind, names)| {
        let Some(other) = b.get(kind) else {
            return false;
        };
        if names.len() != other.len() {
            return false;
        }
        let mut unmatched: Vec<&str> = other.iter().flatten().copied().collect();
        let mut left = 0;
        for name in names.iter().flatten() {
            match unmatched.iter().position(|n| n.eq_ignore_ascii_case(name)) {
                Some(i) => {
                    unmatched.swap_remove(i);
                }
                None => left += 1,
            }
        }
        let unknown = |side: &Vec<Option<&str>>| side.iter().filter(|n| n.is_none()).count();
        left <= unknown(other) && unmatched.len() <= unknown(names)
    })
}

/// Of the module attributes that use a value a caller wrote, the one the finding's resource
/// reads: in the file that declares the resource, and, when several attributes there use
/// it, the one the finding's label names (`kubernetes_version` rather than a pool's
/// `orchestrator_version`).
fn module_use(
    finding: &Finding,
    uses: &[Loc],
    resource_files: &HashMap<&str, Vec<FileId>>,
    sources: &Sources,
) -> Option<Loc> {
    let declared = resource_files.get(finding.resource.as_str());
    let own: Vec<Loc> = uses
        .iter()
        .copied()
        .filter(|u| declared.is_some_and(|files| files.contains(&u.file)))
        .collect();
    let candidates = if own.is_empty() { uses.to_vec() } else { own };
    if candidates.len() > 1 {
        // The label starts with the attribute in backticks (`default_node_pool.x` set here).
        let attribute = finding
            .label
            .strip_prefix('`')
            .and_then(|l| l.split('`').next())
            .and_then(|a| a.rsplit('.').next())
            .filter(|a| !a.is_empty());
        if let Some(attribute) = attribute {
            let named = candidates.iter().find(|u| {
                let text = &sources.get(u.file).text;
                text.get(u.start as usize..u.end as usize)
                    .is_some_and(|t| t.trim_start().starts_with(attribute))
            });
            if let Some(named) = named {
                return Some(*named);
            }
        }
    }
    candidates.first().copied()
}

/// A Terraform file as the evaluator takes it: (id, file name, text).
/// The name is the display path: where a value came from is said with it, and a bare
/// `main.tf` would not tell a root's file from a module's.
fn named_file(sources: &Sources, id: FileId) -> (FileId, String, String) {
    let f = sources.get(id);
    (id, f.display.clone(), f.text.clone())
}

fn adapt(
    unit: &Unit,
    sources: &Sources,
    module_dirs: &std::sync::Arc<crate::terraform::module::ModuleDirs>,
    options: &Options,
    bicep_files: &BicepFiles<'_>,
    plans: &HashMap<FileId, crate::plan::Plan>,
    scan: &std::sync::Arc<crate::value::ScanBudget>,
) -> Adapted {
    match unit {
        Unit::Plan(file) => {
            let plan = &plans[file];
            let problems = plan
                .errors
                .iter()
                .map(|e| problem(sources, e.loc, e.message.clone()))
                .collect();
            (
                plan.raw_resources(),
                problems,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            )
        }
        Unit::Terraform {
            dir,
            files,
            tfvars,
            plan,
        } => {
            let named = |ids: &Vec<FileId>| -> Vec<(FileId, String, String)> {
                ids.iter().map(|id| named_file(sources, *id)).collect()
            };
            let plan = plan.map(|p| &plans[&p]);
            let mut loaded = crate::terraform::load(crate::terraform::Root {
                files: named(files),
                tfvars: named(tfvars),
                vars: options.vars.clone(),
                planned: plan
                    .map(crate::plan::Plan::planned_variables)
                    .unwrap_or_default(),
                dir: Some(dir.clone()),
                modules: module_dirs.clone(),
                scan: scan.clone(),
            });
            if let Some(plan) = plan {
                let texts = |id: FileId| {
                    let file = sources.get(id);
                    Some((file.display.clone(), file.text.as_str()))
                };
                crate::plan::overlay::apply(&mut loaded, plan, &texts);
                loaded
                    .errors
                    .extend(plan.errors.iter().map(|e| crate::terraform::TfError {
                        loc: e.loc,
                        message: e.message.clone(),
                    }));
            }
            let problems = loaded
                .errors
                .into_iter()
                .map(|e| problem(sources, e.loc, e.message))
                .collect();
            (
                loaded.resources,
                problems,
                loaded.redirects,
                loaded.calls,
                Vec::new(),
                loaded.not_evaluated,
            )
        }
        Unit::Arm {
            template,
            parameters,
        } => {
            let params = parameters.map(|p| {
                let file = sources.get(p);
                let name = file.display.as_str();
                (p, file.text.as_str(), name)
            });
            let text = &sources.get(*template).text;
            match arm::load_template_reporting(*template, text, params, scan) {
                Ok((resources, limits)) => (
                    resources,
                    limits
                        .into_iter()
                        .map(|e| problem(sources, e.loc, e.message))
                        .collect(),
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                ),
                Err(e) => (
                    Vec::new(),
                    vec![problem(sources, e.loc, e.message)],
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                ),
            }
        }
        Unit::Bicep { root, parameters } => {
            let input = |id: FileId| {
                let file = sources.get(id);
                crate::bicep::Input {
                    file: id,
                    path: &file.path,
                    text: &file.text,
                }
            };
            let loaded = crate::bicep::load_within(
                input(*root),
                parameters.map(input),
                bicep_files,
                scan.clone(),
            );
            // Syntax errors were reported when the units were formed; these are what
            // evaluation could not follow.
            let problems = loaded
                .errors
                .into_iter()
                .map(|e| problem(sources, e.loc, e.message))
                .collect();
            (
                loaded.resources,
                problems,
                loaded.redirects,
                Vec::new(),
                loaded.registry_calls,
                loaded.not_evaluated,
            )
        }
        Unit::Manifests(file) => {
            let (resources, errors) = crate::k8s::load_manifests(*file, &sources.get(*file).text);
            let problems = errors
                .into_iter()
                .map(|e| problem(sources, e.loc, e.message))
                .collect();
            (
                resources,
                problems,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            )
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
                } => plan.declares(files.iter().map(|f| {
                    let file = sources.get(*f);
                    (*f, file.display.as_str(), file.text.as_str())
                })),
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
                errors.push(Problem {
                    rule: rules::PARSE_ERROR.0,
                    slug: rules::PARSE_ERROR.1,
                    path: sources.get(*id).display.clone(),
                    at: None,
                    message: format!(
                        "`--plan {}` is the plan of no single scanned Terraform root ({} roots \
                         declare its resources and modules), so it is checked alone: scan the \
                         root it was made from",
                        sources.get(*id).display,
                        matching.len()
                    ),
                });
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

/// The JSON files among the files read.
fn kinds_of_json(kinds: &[(FileId, FileKind)]) -> Vec<FileId> {
    kinds
        .iter()
        .filter(|(_, k)| *k == FileKind::Json)
        .map(|(id, _)| *id)
        .collect()
}

/// Module calls nested deeper than this are not followed when looking for module files.
const MAX_MODULE_DIRS: usize = 4_096;

/// Splits the Terraform directories into roots and called modules. Returns the roots, the
/// `.tf` files of every directory a local module call names (read from disk when it lies
/// outside the scanned paths), and the ids of the files read that way.
fn terraform_roots(
    dirs: &mut BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)>,
    sources: &mut Sources,
    errors: &mut Vec<Problem>,
) -> (
    HashSet<PathBuf>,
    crate::terraform::module::ModuleDirs,
    Vec<FileId>,
    BTreeMap<PathBuf, Vec<PathBuf>>,
) {
    let mut calls: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut extra_files = Vec::new();
    let mut queue: Vec<PathBuf> = dirs.keys().cloned().collect();
    let mut seen: HashSet<PathBuf> = queue.iter().cloned().collect();
    while let Some(dir) = queue.pop() {
        let files = match dirs.get(&dir) {
            Some((files, _)) => files.clone(),
            None => Vec::new(),
        };
        let mut called = Vec::new();
        for id in files {
            for source in crate::terraform::local_module_sources(&sources.get(id).text) {
                let target = discover::normalize(&dir.join(&source));
                if target != dir {
                    called.push(target);
                }
            }
        }
        // What `terraform init` installed for a root (registry and git modules).
        if let Some((manifest, reason)) = crate::terraform::installed::unreadable_manifest(&dir) {
            errors.push(Problem {
                rule: rules::PARSE_ERROR.0,
                slug: rules::PARSE_ERROR.1,
                path: crate::source::display_path(&manifest),
                at: None,
                message: format!(
                    "cannot read the modules `terraform init` installed, so they are not \
                     evaluated: {reason}"
                ),
            });
        }
        called.extend(
            crate::terraform::installed::installed_modules(&dir)
                .into_iter()
                .map(|(_, installed)| installed),
        );
        for target in &called {
            if seen.len() < MAX_MODULE_DIRS && seen.insert(target.clone()) {
                // A module outside the scanned paths: read its `.tf` files.
                let mut read = Vec::new();
                if let Ok(entries) = std::fs::read_dir(target) {
                    let mut paths: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| !p.is_dir())
                        .filter(|p| discover::kind_of(p) == Some(FileKind::Terraform))
                        .collect();
                    paths.sort();
                    for path in paths {
                        match crate::input::read_text(&path) {
                            Ok(text) => {
                                let id = sources.add(path, text);
                                read.push(id);
                                extra_files.push(id);
                            }
                            Err(e) => errors.push(Problem {
                                rule: rules::PARSE_ERROR.0,
                                slug: rules::PARSE_ERROR.1,
                                path: crate::source::display_path(&path),
                                at: None,
                                message: format!("cannot read this module file: {e}"),
                            }),
                        }
                    }
                }
                dirs.insert(target.clone(), (read, Vec::new()));
                queue.push(target.clone());
            }
        }
        calls.insert(dir, called);
    }
    let called: HashSet<PathBuf> = calls.values().flatten().cloned().collect();
    let has_files = |d: &PathBuf| dirs.get(d).is_some_and(|(f, _)| !f.is_empty());
    let mut roots: HashSet<PathBuf> = dirs
        .keys()
        .filter(|d| {
            !called.contains(*d) && has_files(d) && !extra_files_only(d, dirs, &extra_files)
        })
        .cloned()
        .collect();
    // Directories that only call each other (a cycle) would never be evaluated: the first
    // one not reached from a root becomes a root.
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let visit = |start: &PathBuf, reached: &mut HashSet<PathBuf>| {
        let mut stack = vec![start.clone()];
        while let Some(d) = stack.pop() {
            if reached.insert(d.clone()) {
                stack.extend(calls.get(&d).into_iter().flatten().cloned());
            }
        }
    };
    for root in &roots {
        visit(root, &mut reached);
    }
    let scanned: Vec<PathBuf> = dirs
        .keys()
        .filter(|d| has_files(d) && !extra_files_only(d, dirs, &extra_files))
        .cloned()
        .collect();
    for dir in scanned {
        if !reached.contains(&dir) {
            visit(&dir, &mut reached);
            roots.insert(dir);
        }
    }
    let module_dirs = called
        .iter()
        .map(|d| {
            let files = dirs
                .get(d)
                .map(|(files, _)| files.iter().map(|id| named_file(sources, *id)).collect())
                .unwrap_or_default();
            (d.clone(), files)
        })
        .collect();
    (roots, module_dirs, extra_files, calls)
}

/// A directory read only because a module call named it (outside the scanned paths).
fn extra_files_only(
    dir: &PathBuf,
    dirs: &BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)>,
    extra: &[FileId],
) -> bool {
    dirs.get(dir)
        .is_some_and(|(files, _)| files.iter().all(|f| extra.contains(f)))
}

/// Every module file a root may reach through local calls.
fn reachable_module_files(
    root: &Path,
    calls: &BTreeMap<PathBuf, Vec<PathBuf>>,
    module_dirs: &crate::terraform::module::ModuleDirs,
) -> Vec<FileId> {
    let mut out = Vec::new();
    let mut seen: HashSet<&Path> = HashSet::new();
    let mut stack: Vec<&Path> = vec![root];
    while let Some(dir) = stack.pop() {
        if !seen.insert(dir) {
            continue;
        }
        if dir != root {
            out.extend(module_dirs.get(dir).into_iter().flatten().map(|f| f.0));
        }
        stack.extend(calls.get(dir).into_iter().flatten().map(PathBuf::as_path));
    }
    out
}
/// Zones from `[[landing-zone]]` plus a catch-all named after the scan root (the only
/// zone when there is no config).
fn landing_zones(config: &Config, sources: &Sources) -> (Vec<Zone>, Vec<usize>) {
    let mut zones: Vec<Zone> = config
        .landing_zones
        .iter()
        .map(|z| Zone {
            name: z.name.clone(),
            corp: matches!(z.archetype, Archetype::Corp),
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
    let zone_of_file = sources
        .iter()
        .map(|f| {
            config
                .zone_for(&f.path)
                .and_then(|zone| {
                    config
                        .landing_zones
                        .iter()
                        .position(|z| z.name == zone.name)
                })
                .unwrap_or(fallback)
        })
        .collect();
    (zones, zone_of_file)
}

/// Why a file could not be read as text, and, when part of it can be shown, its lossy text
/// and the byte offset of the problem.
struct Unreadable {
    message: String,
    shown: Option<(String, usize)>,
}

impl From<crate::input::ReadError> for Unreadable {
    fn from(error: crate::input::ReadError) -> Unreadable {
        let message = error.to_string();
        match error {
            crate::input::ReadError::NotUtf8 { lossy, at } => Unreadable {
                message,
                shown: Some((lossy, at)),
            },
            _ => Unreadable {
                message,
                shown: None,
            },
        }
    }
}

/// The Bicep side of a scan: which `.bicep` files are roots (those no other scanned file
/// calls as a module; once per `.bicepparam` file that is `using` them), which files each
/// root reaches through its modules, and the syntax errors (reported here, once per file).
struct BicepScan {
    units: Vec<Unit>,
    /// Per unit, the module files it reaches.
    reach: Vec<Vec<FileId>>,
    by_path: HashMap<PathBuf, FileId>,
    trees: HashMap<FileId, tree_sitter::Tree>,
    scanned: Vec<FileId>,
    /// Files with syntax errors: not evaluated.
    broken: HashSet<FileId>,
    /// ARM templates that `module` statements deploy: evaluated through their callers only.
    called_templates: HashSet<FileId>,
    /// (calling Bicep file, registry reference) -> the restored template.
    registry: HashMap<(PathBuf, String), PathBuf>,
}

fn bicep_units(
    sources: &mut Sources,
    kinds: &mut Vec<(FileId, FileKind)>,
    errors: &mut Vec<Problem>,
) -> BicepScan {
    let mut outlines: HashMap<FileId, crate::bicep::Outline> = HashMap::new();
    let mut by_path: HashMap<PathBuf, FileId> = HashMap::new();
    let mut params_files = Vec::new();
    let mut pending: Vec<FileId> = Vec::new();
    // ARM templates a `module` statement may deploy; called ones are found below.
    let mut json_by_path: HashMap<PathBuf, FileId> = HashMap::new();
    let mut registry = HashMap::new();
    for (id, kind) in kinds.iter() {
        match kind {
            FileKind::Json => {
                json_by_path.insert(sources.get(*id).path.clone(), *id);
            }
            FileKind::Bicep => {
                by_path.insert(sources.get(*id).path.clone(), *id);
                pending.push(*id);
            }
            FileKind::BicepParam => {
                params_files.push(*id);
                pending.push(*id);
            }
            _ => {}
        }
    }
    // Outline in rounds: files reached from outside the scanned paths are outlined too.
    while !pending.is_empty() {
        let round: Vec<(FileId, crate::bicep::Outline)> = pending
            .par_iter()
            .map(|id| {
                let file = sources.get(*id);
                (*id, crate::bicep::outline(*id, &file.path, &file.text))
            })
            .collect();
        pending.clear();
        for (id, outline) in round {
            // Modules and the file a `.bicepparam` file uses, also outside the scanned paths.
            for module in outline.modules.iter().chain(&outline.using) {
                // A parameters file is not a template (reported below for `using`).
                let lower = module.to_string_lossy().to_ascii_lowercase();
                if by_path.contains_key(module) || lower.ends_with(".bicepparam") {
                    continue;
                }
                // A module path is the scanned file's to choose: only Bicep files and ARM
                // templates are read, and only regular files (never `/etc/shadow`, a FIFO
                // or `/proc/self/environ`).
                let Some(target_kind) = module_target_kind(module) else {
                    errors.push(Problem {
                        rule: rules::PARSE_ERROR.0,
                        slug: rules::PARSE_ERROR.1,
                        path: sources.get(id).display.clone(),
                        at: None,
                        message: format!(
                            "the module or `using` target {} is not a .bicep, .json or \
                             .bicepparam file: aksguard does not read it",
                            crate::source::display_path(module)
                        ),
                    });
                    continue;
                };
                let actual = if module.exists() {
                    module.clone()
                } else {
                    match differently_cased(module) {
                        Some(actual) => actual,
                        None => continue,
                    }
                };
                let known = by_path.get(&actual).or_else(|| json_by_path.get(&actual));
                if let Some(id) = known.copied() {
                    by_path.insert(module.clone(), id);
                    continue;
                }
                let text = match crate::input::read_text(&actual) {
                    Ok(text) => text,
                    Err(e) => {
                        errors.push(Problem {
                            rule: rules::PARSE_ERROR.0,
                            slug: rules::PARSE_ERROR.1,
                            path: sources.get(id).display.clone(),
                            at: None,
                            message: format!(
                                "cannot read the module or `using` target {}: {e}",
                                crate::source::display_path(&actual)
                            ),
                        });
                        continue;
                    }
                };
                let added = sources.add(actual.clone(), text);
                by_path.insert(actual, added);
                by_path.insert(module.clone(), added);
                if target_kind == FileKind::Json {
                    // Read for its callers only: not a root, not outlined as Bicep.
                    continue;
                }
                kinds.push((added, target_kind));
                pending.push(added);
            }
            for (reference, cached) in &outline.registry {
                registry.insert(
                    (sources.get(id).path.clone(), reference.clone()),
                    cached.clone(),
                );
            }
            outlines.insert(id, outline);
        }
    }
    let mut trees = HashMap::new();
    for (id, outline) in outlines.iter_mut() {
        if let Some(tree) = outline.tree.take() {
            trees.insert(*id, tree);
        }
    }
    let mut scanned = Vec::new();
    let mut broken = HashSet::new();
    let mut called = HashSet::new();
    for (id, outline) in &outlines {
        scanned.push(*id);
        if let Some(e) = &outline.error {
            errors.push(problem(sources, e.loc, e.message.clone()));
            broken.insert(*id);
        }
        for module in &outline.modules {
            if let Some(target) = by_path.get(module) {
                if target != id {
                    called.insert(*target);
                }
            }
        }
    }
    let called_templates = called
        .iter()
        .copied()
        .filter(|id| !outlines.contains_key(id))
        .collect();
    let mut units = Vec::new();
    let mut used = HashSet::new();
    params_files.sort_unstable();
    let params_ids: HashSet<FileId> = params_files.iter().copied().collect();
    for params in params_files {
        let root = outlines[&params]
            .using
            .as_ref()
            .filter(|p| !crate::bicep::is_json_module(&p.to_string_lossy()))
            .and_then(|p| by_path.get(p))
            .copied();
        let outline = &outlines[&params];
        if let (None, Some(using), Some(at)) = (root, &outline.using, outline.using_loc) {
            // A parameters file whose `using` names a parameters file (itself or another)
            // has no template to check; say so rather than check nothing.
            if using
                .to_string_lossy()
                .to_ascii_lowercase()
                .ends_with(".bicepparam")
            {
                let message = if by_path.get(using) == Some(&params)
                    || using == &sources.get(params).path
                {
                    "`using` names this parameters file itself, not a Bicep file: its parameters \
                     are not checked against any template"
                } else {
                    "`using` names a parameters file, not a Bicep file: these parameters are not \
                     checked against any template"
                };
                errors.push(problem(sources, at, message.to_string()));
            }
        }
        if let Some(root) = root.filter(|r| !broken.contains(r) && !broken.contains(&params)) {
            used.insert(root);
            units.push(Unit::Bicep {
                root,
                parameters: Some(params),
            });
        }
    }
    let mut roots: Vec<FileId> = by_path
        .values()
        .copied()
        .filter(|id| !called.contains(id) && !used.contains(id) && !broken.contains(id))
        .collect();
    roots.sort_unstable();
    // A file reached under a second spelling of its path is listed twice.
    roots.dedup();
    // Files that only call each other (a module cycle) are reached from no root: the first
    // of each cycle is evaluated as a root, where the recursion is reported.
    let reached_from = |starts: &[FileId]| -> HashSet<FileId> {
        let mut seen: HashSet<FileId> = starts.iter().copied().collect();
        let mut queue = starts.to_vec();
        while let Some(current) = queue.pop() {
            for module in outlines.get(&current).map_or(&[][..], |o| &o.modules) {
                if let Some(target) = by_path.get(module) {
                    if seen.insert(*target) {
                        queue.push(*target);
                    }
                }
            }
        }
        seen
    };
    let mut starts: Vec<FileId> = roots.clone();
    starts.extend(used.iter().copied());
    let mut reached = reached_from(&starts);
    let mut unreached: Vec<FileId> = called
        .iter()
        .copied()
        .filter(|id| outlines.contains_key(id) && !broken.contains(id))
        .filter(|id| !params_ids.contains(id))
        .collect();
    unreached.sort_unstable();
    for id in unreached {
        if !reached.contains(&id) {
            roots.push(id);
            reached.extend(reached_from(&[id]));
        }
    }
    units.extend(roots.into_iter().map(|root| Unit::Bicep {
        root,
        parameters: None,
    }));
    let reach = units
        .iter()
        .map(|unit| {
            let Unit::Bicep { root, .. } = unit else {
                return Vec::new();
            };
            let mut seen = vec![*root];
            let mut next = 0;
            while next < seen.len() {
                let current = seen[next];
                next += 1;
                for module in outlines
                    .get(&current)
                    .map(|o| o.modules.as_slice())
                    .unwrap_or(&[])
                {
                    if let Some(target) = by_path.get(module) {
                        if !seen.contains(target) {
                            seen.push(*target);
                        }
                    }
                }
            }
            seen
        })
        .collect();
    BicepScan {
        units,
        reach,
        by_path,
        trees,
        scanned,
        broken,
        called_templates,
        registry,
    }
}

/// What a Bicep module or `using` path may name: a Bicep file, a parameters file or an ARM
/// template (registry modules are cached as `main.json`); None for anything else.
fn module_target_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".bicep") {
        Some(FileKind::Bicep)
    } else if name.ends_with(".bicepparam") {
        Some(FileKind::BicepParam)
    } else if crate::bicep::is_json_module(&name) {
        Some(FileKind::Json)
    } else {
        None
    }
}

/// The file a module path names when only the letter case differs: Bicep repositories are
/// often written on Windows or macOS, whose file systems ignore case, and their module
/// paths then work everywhere but on Linux. One directory listing per path component.
fn differently_cased(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        let candidate = out.join(component);
        if candidate.exists() {
            out = candidate;
            continue;
        }
        let wanted = component.as_os_str().to_str()?;
        let found = std::fs::read_dir(&out)
            .ok()?
            .filter_map(Result::ok)
            .find(|entry| {
                entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| name.eq_ignore_ascii_case(wanted))
            })?;
        out.push(found.file_name());
    }
    out.is_file().then_some(out)
}
