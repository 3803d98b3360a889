use super::{report_disabled, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS005",
    slug: "local-accounts-enabled",
    severity: Severity::High,
    summary: "Local accounts (the static cluster-admin kubeconfig) are not disabled",
    doc: include_str!("../../rules/AKS005.md"),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    report_disabled(
        ctx,
        out,
        &RULE,
        |c| &c.local_accounts_disabled,
        "Local accounts are enabled: anyone with the static admin kubeconfig bypasses Entra ID and Azure RBAC",
        (
            "Set `local_account_disabled = true`",
            "Set `disableLocalAccounts: true`",
        ),
    );
}
