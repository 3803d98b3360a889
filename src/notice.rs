//! AG005 module-not-evaluated: a module, chart or template whose resources the scan skipped
//! wholesale (a registry module `terraform init` has not installed, a Bicep registry module
//! missing from the local cache, an unrendered Helm chart). Never a silent "0 findings": each
//! is an info finding at the `module` block or statement, saying what was skipped, what that
//! means, and the command that makes it checkable.

use crate::catalogue::MODULE_NOT_EVALUATED;
use crate::finding::Finding;
use crate::source::Loc;

#[derive(Clone, Debug)]
pub struct NotEvaluated {
    /// The `module` block or statement (for a chart, its `Chart.yaml`).
    pub at: Loc,
    /// The call's address (`module.aks`), module symbol, or `Chart/<name>`.
    pub resource: String,
    /// What was skipped and what that means.
    pub message: String,
    /// The command that makes it checkable.
    pub help: String,
}

impl NotEvaluated {
    pub fn into_finding(self) -> Finding {
        Finding::new(
            MODULE_NOT_EVALUATED.meta(),
            self.at,
            self.message,
            "not evaluated".to_string(),
            self.help,
            self.resource,
        )
    }

    /// Is this finding a notice for a Helm chart rather than a module?
    pub fn is_chart(finding: &Finding) -> bool {
        finding.rule == MODULE_NOT_EVALUATED.id() && finding.resource.starts_with("Chart/")
    }
}

/// ARM nested deployments whose template is linked (`templateLink`: a URI, a path
/// relative to the template, or a template spec) rather than inline: aksguard reads only
/// the templates in the scan, so what they deploy is announced as not evaluated.
pub fn linked_templates(resources: &[crate::model::raw::RawResource]) -> Vec<NotEvaluated> {
    use crate::model::raw::Format;
    use crate::value::Kind;
    resources
        .iter()
        .filter(|r| r.format == Format::Arm && !r.existing)
        .filter(|r| {
            r.kind
                .eq_ignore_ascii_case("Microsoft.Resources/deployments")
        })
        .filter_map(|r| {
            let properties = r.body.get_ci("properties")?;
            if properties.get_ci("template").is_some() {
                return None;
            }
            let link = properties.get_ci("templateLink")?;
            let shown = |key: &str| {
                link.get_ci(key).map(|v| match &v.kind {
                    Kind::Unknown(text) => text.clone(),
                    _ => v.to_text().unwrap_or_default(),
                })
            };
            let name = r.name.clone().unwrap_or_else(|| "?".to_string());
            let (what, help) = if let Some(path) = shown("relativePath") {
                (
                    format!("`{path}` (relative to this template)"),
                    format!(
                        "check `{path}` on its own with the parameters this deployment passes \
                         (`aksguard check {path} --parameters FILE`)"
                    ),
                )
            } else if let Some(id) = shown("id") {
                (
                    format!("the template spec `{id}`"),
                    "check the template spec's source, or export it (`az ts export`) and \
                     check the exported template"
                        .to_string(),
                )
            } else {
                let uri = shown("uri").unwrap_or_else(|| "?".to_string());
                (
                    format!("`{uri}`"),
                    "download the linked template into the repository and check it with the \
                     parameters this deployment passes (`aksguard check FILE --parameters \
                     FILE`); aksguard never downloads"
                        .to_string(),
                )
            };
            Some(NotEvaluated {
                at: r.header,
                resource: r.address.clone(),
                message: format!(
                    "deployment `{name}` deploys the linked template {what}, which was not \
                     evaluated: the clusters and registries it deploys were not checked"
                ),
                help,
            })
        })
        .collect()
}
