//! AG005 module-not-evaluated: a module, chart or template whose resources the scan skipped
//! wholesale (a registry module `terraform init` has not installed, a Bicep registry module
//! missing from the local cache, an unrendered Helm chart). Never a silent "0 findings": each
//! is an info finding at the `module` block or statement, saying what was skipped, what that
//! means, and the command that makes it checkable.

use crate::finding::Finding;
use crate::severity::Severity;
use crate::source::Loc;

pub const MODULE_NOT_EVALUATED: (&str, &str) = ("AG005", "module-not-evaluated");

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
        Finding {
            rule: MODULE_NOT_EVALUATED.0,
            slug: MODULE_NOT_EVALUATED.1,
            severity: Severity::Info,
            message: self.message,
            at: self.at,
            label: "not evaluated".to_string(),
            notes: Vec::new(),
            help: self.help,
            resource: self.resource,
            landing_zone: None,
            source: None,
            suppressed: false,
            suppression: None,
            remedy: None,
        }
    }

    /// Is this finding a notice for a Helm chart rather than a module?
    pub fn is_chart(finding: &Finding) -> bool {
        finding.rule == MODULE_NOT_EVALUATED.0 && finding.resource.starts_with("Chart/")
    }
}
