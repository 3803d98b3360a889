//! Moves each finding to where its user can act on it and names the other places: a value
//! passed to a module is reported at the call site with the module attribute as the other
//! place; a finding inside an installed or registry module goes to the `module` block or
//! statement that calls it. Also gives each finding its landing zone, configured severity
//! and the `.bicep` file a compiled template came from.

use super::adapt::Adapted;
use crate::config::Config;
use crate::finding::{Finding, Problem};
use crate::model::raw::RawResource;
use crate::notice::NotEvaluated;
use crate::source::{FileId, Loc, Sources};
use rayon::prelude::*;
use std::collections::HashMap;

/// Where the adapters say findings belong, gathered from every unit.
#[derive(Default)]
pub(super) struct Places {
    /// Value written by a caller -> every module attribute that uses it (one variable may
    /// feed a cluster module and a node pool module).
    redirects: HashMap<Loc, Vec<Loc>>,
    /// (Terraform module call address, a file of the module) -> its `module` block header.
    module_calls: HashMap<(String, FileId), Loc>,
    /// Terraform module call address -> its `module` block header.
    module_headers: HashMap<String, Loc>,
    /// (resource address, restored registry template) -> (the `module` statement, its
    /// reference).
    registry_calls: HashMap<(String, FileId), (Loc, String)>,
    /// Restored registry template -> the reference that names it.
    registry_references: HashMap<FileId, String>,
}

/// The units' results joined: all resources, problems and notices, and the places.
pub(super) struct Merged {
    pub resources: Vec<RawResource>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub places: Places,
}

/// Joins the units' results in unit order (`not_evaluated` starts with what was announced
/// before evaluation).
pub(super) fn merge(
    adapted: Vec<Adapted>,
    mut not_evaluated: Vec<NotEvaluated>,
    errors: &mut Vec<Problem>,
) -> Merged {
    // Sized once: a large scan's resources would otherwise be copied as the vector grows.
    let mut resources = Vec::with_capacity(adapted.iter().map(|a| a.resources.len()).sum());
    let mut places = Places::default();
    for unit in adapted {
        not_evaluated.extend(unit.not_evaluated);
        for call in unit.registry_calls {
            places
                .registry_references
                .entry(call.template)
                .or_insert_with(|| call.reference.clone());
            places
                .registry_calls
                .entry((call.address, call.template))
                .or_insert((call.call, call.reference));
        }
        resources.extend(unit.resources);
        errors.extend(unit.problems);
        for (passed, used) in unit.redirects {
            let uses = places.redirects.entry(passed).or_default();
            if !uses.contains(&used) {
                uses.push(used);
            }
        }
        for call in unit.module_calls {
            places
                .module_headers
                .entry(call.address.clone())
                .or_insert(call.header);
            for file in call.files {
                places
                    .module_calls
                    .entry((call.address.clone(), file))
                    .or_insert(call.header);
            }
        }
    }
    Merged {
        resources,
        not_evaluated,
        places,
    }
}

/// What relocation reads besides the places.
pub(super) struct Context<'a> {
    pub sources: &'a Sources,
    pub config: &'a Config,
    pub resources: &'a [RawResource],
    pub zone_of_file: &'a [usize],
    pub zones: &'a [crate::model::Zone],
    /// What the walk saw in each directory it listed.
    pub listed: &'a crate::discover::Listed,
}

pub(super) fn relocate(findings: &mut [Finding], places: &Places, cx: &Context<'_>) {
    let sources = cx.sources;
    // The files each resource address is declared in, to tell which module's attribute
    // a redirected finding's resource reads (only needed when a value was redirected).
    let mut resource_files: HashMap<&str, Vec<FileId>> = HashMap::new();
    for r in cx.resources.iter().filter(|_| !places.redirects.is_empty()) {
        resource_files
            .entry(r.address.as_str())
            .or_default()
            .push(r.file);
    }
    // One look at the disk per compiled template (in parallel), not per resource it declares,
    // and none where the walk saw no `.bicep` file of its name.
    let compiled: std::collections::BTreeSet<FileId> = cx
        .resources
        .iter()
        .filter(|r| r.compiled_by_bicep)
        .map(|r| r.file)
        .collect();
    let bicep_sources: HashMap<FileId, String> = compiled
        .into_par_iter()
        .filter_map(|file| {
            let bicep = sources.get(file).path.with_extension("bicep");
            (cx.listed.may_exist(&bicep) && bicep.is_file())
                .then(|| (file, crate::source::display_path(&bicep)))
        })
        .collect();
    findings.par_iter_mut().for_each(|finding| {
        // Inside a registry module the caller can change only what it passes: the finding
        // goes to the `module` statement, the restored template is the other place.
        if let Some((call, reference)) = places
            .registry_calls
            .get(&(finding.resource.clone(), finding.at.file))
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
        } else if let Some(call) = installed_module_call(finding, sources, &places.module_headers) {
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
        finding.severity = cx.config.severity_for(finding.rule, finding.severity);
        let zone = cx.zone_of_file[finding.at.file as usize];
        finding.landing_zone = cx.zones.get(zone).map(|z| z.name.clone());
        if finding.source.is_none() {
            finding.source = bicep_sources.get(&finding.at.file).cloned();
        }
        // A value passed at a module call site: the module attribute is the other place.
        if let Some(used) = places
            .redirects
            .get(&finding.at)
            .and_then(|uses| module_use(finding, uses, &resource_files, sources))
        {
            finding
                .notes
                .push((used, "the module uses the value here".to_string()));
            if finding.source.is_none() {
                let module = places
                    .registry_references
                    .get(&used.file)
                    .cloned()
                    .unwrap_or_else(|| sources.get(used.file).display.clone());
                finding.source = Some(module);
            }
        } else if let Some(call) =
            module_call_of(&finding.resource, finding.at.file, &places.module_calls)
        {
            // A value the module itself decides: the call is the other place.
            finding
                .notes
                .push((call, "the module is called here".to_string()));
        }
    });
}

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
