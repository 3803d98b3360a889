use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS005,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let field = &cluster.local_accounts_disabled;
        if field.known() != Some(&false) {
            continue;
        }
        let help = spelling::set(cluster, &f::LOCAL_ACCOUNTS_DISABLED, "true", "true");
        let mut remedy = set_field(cluster, field, true.into(), true.into(), &help);
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
                help,
            )
            .with_remedy(remedy),
        );
    }
}
