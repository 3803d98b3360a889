//! AG006 file-not-checked: a file named on the command line that was read but gave nothing
//! to check (YAML that is not Kubernetes or a pipeline, JSON that is not a template,
//! parameters file, plan or Kubernetes object, a variables file Terraform does not load).
//! Naming a file and hearing nothing about it would be a silent "clean".

use super::read::Read;
use super::units::Units;
use crate::catalogue::FILE_NOT_CHECKED;
use crate::discover::FileKind;
use crate::finding::{Finding, Problem};
use crate::source::Loc;

pub(super) fn named_files(read: &Read, units: &Units) -> Vec<Finding> {
    let Some(focus) = read.focus.as_ref() else {
        return Vec::new();
    };
    read.kinds
        .iter()
        .filter(|(id, _)| !units.scanned.contains(id))
        .filter(|(id, _)| focus.names_file(&read.sources.get(*id).path))
        .map(|(id, kind)| {
            let file = read.sources.get(*id);
            let (message, help) = why(kind, units.unrendered.contains(id), &file.display);
            Finding::new(
                FILE_NOT_CHECKED.meta(),
                Loc::new(*id, 0, 0),
                message,
                "not checked".to_string(),
                help,
                file.display.clone(),
            )
        })
        .collect()
}

/// What the file is not, and what the user can do.
fn why(kind: &FileKind, unrendered: bool, display: &str) -> (String, String) {
    const LEAVE_OUT: &str = "leave it out of the command (pre-commit: the hook's `exclude`), \
                             or suppress this notice with `# aksguard:ignore AG006 -- reason` \
                             on its first line";
    match kind {
        FileKind::VarFile => (
            "Terraform loads this variables file only when `-var-file` names it, so it was not \
             applied to any root and nothing in it was checked"
                .to_string(),
            format!(
                "check its root with it: `aksguard check <root directory> --var-file {display}`"
            ),
        ),
        FileKind::Yaml if unrendered => (
            "this is an unrendered Helm template (`{{ ... }}`), which is not Kubernetes YAML \
             until Helm renders it, so nothing in it was checked"
                .to_string(),
            "render the chart and check the output: `helm template <chart> | aksguard check -`"
                .to_string(),
        ),
        FileKind::Yaml | FileKind::Pipeline => (
            "no document of this YAML file is a Kubernetes object (`apiVersion` and `kind`), and \
             it is not where CI reads pipelines from (`.github/workflows/`, \
             `azure-pipelines*.yml`, `.azure-pipelines/`, `.pipelines/`), so nothing in it was \
             checked"
                .to_string(),
            format!(
                "a pipeline kept elsewhere is checked where CI reads it; Helm values and tool \
                 settings have nothing to check: {LEAVE_OUT}"
            ),
        ),
        FileKind::Json => (
            "this JSON file is not an ARM deployment template or parameters file (no `$schema` \
             naming one, no `resources` with `contentVersion`), a Kubernetes object or a \
             Terraform plan, so nothing in it was checked"
                .to_string(),
            format!("tool settings and data files have nothing to check: {LEAVE_OUT}"),
        ),
        _ => (
            "nothing in this file was checked".to_string(),
            LEAVE_OUT.to_string(),
        ),
    }
}

/// `--parameters`, `--var-file` and `--var` given for a scan with nothing to apply them to
/// (no ARM template or Bicep file; no Terraform root): the user expected values to be
/// checked, and nothing was. An AG001 naming the option, like a named path that does not
/// exist.
pub(super) fn unused_inputs(request: &super::Request, units: &Units, errors: &mut Vec<Problem>) {
    let options = request.options;
    use super::units::Unit;
    let any = |f: fn(&Unit) -> bool| units.units.iter().any(f);
    let templates = any(|u| matches!(u, Unit::Arm { .. } | Unit::Bicep(_)));
    let roots = any(|u| matches!(u, Unit::Terraform { .. }));
    let mut unused = |path: String, option: String, what: &str| {
        errors.push(Problem::parse_error(
            path,
            None,
            format!(
                "`{option}` applies to no {what} of the scan, so no value of it was checked: \
                 scan the directory or file it belongs to with it"
            ),
        ));
    };
    if let Some(parameters) = options.parameters.as_ref().filter(|_| !templates) {
        let shown = crate::source::display_path(parameters);
        unused(
            shown.clone(),
            format!("--parameters {shown}"),
            "ARM template or Bicep file",
        );
    }
    if !roots {
        for file in &options.var_files {
            let shown = crate::source::display_path(file);
            unused(
                shown.clone(),
                format!("--var-file {shown}"),
                "Terraform root",
            );
        }
        for (name, _) in &options.vars {
            let scanned = request
                .paths
                .first()
                .map(|p| crate::source::display_path(p));
            unused(
                scanned.unwrap_or_default(),
                format!("--var {name}=..."),
                "Terraform root",
            );
        }
    }
}
