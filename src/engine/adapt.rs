//! Evaluates the units in parallel, each by its format's adapter, into raw resources; and
//! the build files into the model's build surface.

use super::units::{Unit, Units};
use super::Options;
use crate::arm;
use crate::bicep::RegistryCall;
use crate::discover::FileKind;
use crate::finding::Problem;
use crate::model::raw::RawResource;
use crate::model::Model;
use crate::notice::NotEvaluated;
use crate::source::{FileId, Loc, Sources};
use crate::terraform::files::{File as TfFile, Pending, Tree};
use crate::terraform::module::ModuleFile;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What one unit evaluated to.
#[derive(Default)]
pub(super) struct Adapted {
    pub resources: Vec<RawResource>,
    pub problems: Vec<Problem>,
    /// (value written at a module call site, module attribute that uses it).
    pub redirects: Vec<(Loc, Loc)>,
    /// Terraform: every module instance, where findings inside it were called from.
    pub module_calls: Vec<crate::terraform::ModuleInstance>,
    /// Bicep: resources that registry modules deploy, and the statements that call them.
    pub registry_calls: Vec<RegistryCall>,
    /// Modules and charts whose resources were skipped wholesale (AG005).
    pub not_evaluated: Vec<NotEvaluated>,
    /// Terraform: the `--var` names the root declares.
    pub declared_vars: Vec<String>,
    /// An ARM template Bicep compiled with `languageVersion` 2.0: its symbolic names, read
    /// before its tree was let go, to tell whether it is a `.bicep` file's twin.
    pub compiled_symbols: Option<std::collections::BTreeSet<String>>,
}

impl Adapted {
    /// Resources, and what the adapter could not read or follow as AG001 problems.
    fn new(
        sources: &Sources,
        resources: Vec<RawResource>,
        errors: impl IntoIterator<Item = (Loc, String)>,
    ) -> Adapted {
        Adapted {
            resources,
            problems: errors
                .into_iter()
                .map(|(loc, message)| Problem::in_file(sources, loc, message))
                .collect(),
            ..Adapted::default()
        }
    }
}

/// Evaluates every unit, in parallel, and drops the resources of templates that only
/// repeat a scanned `.bicep` file.
pub(super) fn adapt_all(
    units: &Units,
    sources: &Sources,
    request: &super::Request,
    errors: &mut Vec<Problem>,
) -> Vec<Adapted> {
    let bicep_files = units.bicep.files(sources);
    // One evaluation budget for the whole scan: many roots that each spend their own are
    // bounded together.
    let scan = crate::value::ScanBudget::new();
    // One unit per task: rayon otherwise splits the units only a few times unless a thread
    // steals, and the units are not alike (Terraform roots first, then templates and
    // manifests), so one thread could be left evaluating a long run of them alone (a
    // 5,000-zone profile: one core idle for the last 130 ms of this stage).
    let mut adapted: Vec<Adapted> = units
        .units
        .par_iter()
        .with_max_len(1)
        .map(|unit| adapt(unit, sources, units, request.options, &bicep_files, &scan))
        .collect();
    if let Some(message) = scan.unlisted() {
        errors.push(Problem::parse_error(
            request
                .paths
                .first()
                .map(|p| crate::source::display_path(p))
                .unwrap_or_default(),
            None,
            message,
        ));
    }
    undeclared_vars(units, request, &adapted, errors);
    drop_compiled_twins(&units.units, &mut adapted, sources, &units.bicep);
    adapted
}

/// A `--var` no root of the scan declares sets nothing (a misspelt name most likely), which
/// Terraform refuses too: said as AG001, not left to look like a value that was checked.
/// (Where the scan has no root at all, `unchecked::unused_inputs` says so.)
fn undeclared_vars(
    units: &Units,
    request: &super::Request,
    adapted: &[Adapted],
    errors: &mut Vec<Problem>,
) {
    if !units
        .units
        .iter()
        .any(|u| matches!(u, Unit::Terraform { .. }))
    {
        return;
    }
    let scanned = request
        .paths
        .first()
        .map(|p| crate::source::display_path(p))
        .unwrap_or_default();
    let mut reported: Vec<&str> = Vec::new();
    for (name, _) in &request.options.vars {
        let declared = adapted.iter().any(|a| a.declared_vars.contains(name));
        if declared || reported.contains(&name.as_str()) {
            continue;
        }
        reported.push(name);
        errors.push(Problem::parse_error(
            scanned.clone(),
            None,
            format!(
                "`--var {name}=...` names a variable no Terraform root of the scan declares \
                 (`variable \"{name}\"`), so it set nothing: check its name"
            ),
        ));
    }
}

fn adapt(
    unit: &Unit,
    sources: &Sources,
    units: &Units,
    options: &Options,
    bicep_files: &crate::bicep::units::Files<'_>,
    scan: &std::sync::Arc<crate::value::ScanBudget>,
) -> Adapted {
    match unit {
        Unit::Plan(file) => {
            let plan = &units.plans[file];
            let errors = plan.errors.iter().map(|e| (e.loc, e.message.clone()));
            Adapted::new(sources, plan.raw_resources(), errors)
        }
        Unit::Terraform {
            dir,
            files,
            tfvars,
            plan,
        } => {
            let (trees, tfvars) = {
                let mut parsed = units
                    .terraform
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut take = |ids: &[FileId]| -> Vec<Pending> {
                    ids.iter().filter_map(|id| parsed.take(*id)).collect()
                };
                (take(files), take(tfvars))
            };
            // Parsed here (outside the lock) where unit formation did not need them.
            let trees: Vec<Tree> = trees
                .into_iter()
                .filter_map(|file| match file.parse(sources) {
                    TfFile::Hcl(tree) => Some(tree),
                    TfFile::Values(_) => None,
                })
                .collect();
            let tfvars: Vec<TfFile> = tfvars.into_iter().map(|f| f.parse(sources)).collect();
            let plan = plan.map(|p| &units.plans[&p]);
            // The plan places what it knows in the root's files and its modules' files.
            let kept: Vec<std::sync::Arc<ModuleFile>> = match plan {
                Some(_) => trees
                    .iter()
                    .filter_map(|t| t.as_ref().ok())
                    .cloned()
                    .collect(),
                None => Vec::new(),
            };
            let mut loaded = crate::terraform::load(crate::terraform::Root {
                files: trees,
                tfvars,
                vars: options.vars.clone(),
                planned: plan
                    .map(crate::plan::Plan::planned_variables)
                    .unwrap_or_default(),
                dir: Some(dir.clone()),
                modules: units.module_dirs.clone(),
                scan: scan.clone(),
            });
            if let Some(plan) = plan {
                let trees = |id: FileId| -> Option<&ModuleFile> {
                    let root = kept.iter().find(|f| f.id == id);
                    let module = || {
                        let mut files = units.module_dirs.values().flatten();
                        files.find(|(f, _)| *f == id)?.1.as_ref()
                    };
                    root.or_else(module).map(|f| &**f)
                };
                crate::plan::overlay::apply(&mut loaded, plan, &trees);
                loaded
                    .errors
                    .extend(plan.errors.iter().map(|e| crate::terraform::TfError {
                        loc: e.loc,
                        message: e.message.clone(),
                    }));
            }
            let errors = loaded.errors.into_iter().map(|e| (e.loc, e.message));
            Adapted {
                redirects: loaded.redirects,
                module_calls: loaded.calls,
                not_evaluated: loaded.not_evaluated,
                declared_vars: loaded.declared_vars,
                ..Adapted::new(sources, loaded.resources, errors)
            }
        }
        Unit::Arm {
            template,
            parameters,
        } => {
            let params = parameters.map(|p| {
                let file = sources.get(p);
                (file, file.display.as_str())
            });
            let file = sources.get(*template);
            let mut adapted = match arm::load_template_file(file, params, scan) {
                Ok((resources, limits)) => {
                    let errors = limits.into_iter().map(|e| (e.loc, e.message));
                    Adapted::new(sources, resources, errors)
                }
                Err(e) => Adapted::new(sources, Vec::new(), [(e.loc, e.message)]),
            };
            // No later stage reads the template's tree but the fixes, which parse again:
            // what the others ask of it is read now and the tree let go.
            if all_compiled_by_bicep(&adapted.resources) {
                adapted.compiled_symbols = arm::compiled_symbols(file);
            }
            file.generated(|text| {
                arm::compiled_by_bicep_tree(text, (*crate::json::tree(file)).as_ref().ok())
            });
            file.release_syntax();
            adapted
        }
        Unit::Bicep(crate::bicep::units::Unit { root, parameters }) => {
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
            let errors = loaded.errors.into_iter().map(|e| (e.loc, e.message));
            Adapted {
                redirects: loaded.redirects,
                registry_calls: loaded.registry_calls,
                not_evaluated: loaded.not_evaluated,
                ..Adapted::new(sources, loaded.resources, errors)
            }
        }
        Unit::Manifests(file) => {
            let (resources, errors) = crate::k8s::load_manifests(*file, &sources.get(*file).text);
            let errors = errors.into_iter().map(|e| (e.loc, e.message));
            Adapted::new(sources, resources, errors)
        }
    }
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
    bicep: &crate::bicep::units::Units,
) {
    let dir_of = |file: FileId| sources.get(file).path.parent().map(Path::to_path_buf);
    let mut bicep_roots: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        if let Unit::Bicep(b) = unit {
            if let Some(dir) = dir_of(b.root) {
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
        .filter(|id| !bicep.broken.contains(id))
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
    let mut declared_by: HashMap<FileId, std::collections::BTreeSet<String>> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        let Unit::Arm { template, .. } = unit else {
            continue;
        };
        let symbols = adapted[index].compiled_symbols.take();
        let compiled = &adapted[index].resources;
        if !all_compiled_by_bicep(compiled) {
            continue;
        }
        let Some(dir) = dir_of(*template) else {
            continue;
        };
        let twin =
            match symbols {
                Some(symbols) => {
                    !symbols.is_empty()
                        && bicep_files.get(&dir).into_iter().flatten().any(|id| {
                            let declared = declared_by.entry(*id).or_insert_with(|| {
                                let text = &sources.get(*id).text;
                                match &bicep.trees[id] {
                                    Some(tree) => crate::bicep::declared_symbols(tree, text),
                                    // Not kept for the scan: parsed again, once.
                                    None => crate::bicep::syntax::parse(text)
                                        .map(|tree| crate::bicep::declared_symbols(&tree, text))
                                        .unwrap_or_default(),
                                }
                            });
                            *declared == symbols
                        })
                }
                None => {
                    let declared = declarations(compiled);
                    bicep_roots.get(&dir).into_iter().flatten().any(|&b| {
                        same_declarations(&declared, &declarations(&adapted[b].resources))
                    })
                }
            };
        if twin {
            adapted[index].resources.clear();
            adapted[index].problems.clear();
        }
    }
}

/// A template's resources, when it has some and Bicep compiled them all: the only kind that
/// may be a `.bicep` file's twin.
fn all_compiled_by_bicep(resources: &[RawResource]) -> bool {
    !resources.is_empty() && resources.iter().all(|r| r.compiled_by_bicep)
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

/// Dockerfiles and pipelines, parsed in parallel into the model (their own shapes: build
/// stages and jobs rather than cloud resources).
pub(super) fn build_surface(
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
        errors.extend(
            errs.into_iter()
                .map(|e| Problem::in_file(sources, e.loc, e.message)),
        );
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
