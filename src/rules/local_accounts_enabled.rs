use super::{catalogue, set_field, spelled, Context, Rule};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS005,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let help = (
        "Set `local_account_disabled = true`",
        "Set `disableLocalAccounts: true`",
    );
    for cluster in &ctx.model.clusters {
        let field = &cluster.local_accounts_disabled;
        if field.known() != Some(&false) {
            continue;
        }
        let help = spelled(cluster, help.0, help.1);
        let mut remedy = set_field(cluster, field, true.into(), true.into(), help);
        if cluster.entra_integration.known() != Some(&true) {
            // AKS refuses to disable local accounts on a cluster without Entra ID
            // integration: the literal alone would make the deployment fail.
            remedy = remedy.map(|r| r.needs_review("needs Entra ID integration first"));
        }
        out.push(
            RULE.at_field(
                cluster,
                field,
                "Local accounts are enabled: anyone with the static admin kubeconfig bypasses Entra ID and Azure RBAC".to_string(),
                help.to_string(),
            )
            .with_remedy(remedy),
        );
    }
}
