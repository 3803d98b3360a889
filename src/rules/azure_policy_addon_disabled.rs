use super::{report_disabled, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS007",
    slug: "azure-policy-addon-disabled",
    severity: Severity::Medium,
    summary: "The Azure Policy add-on is not enabled",
    doc: include_str!("../../rules/AKS007.md"),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    report_disabled(
        ctx,
        out,
        &RULE,
        |c| &c.azure_policy,
        "The Azure Policy add-on is not enabled: pod security and registry policies cannot be enforced in the cluster",
        (
            "Set `azure_policy_enabled = true`",
            "Set `addonProfiles.azurepolicy.enabled: true`",
        ),
        true,
    );
}
