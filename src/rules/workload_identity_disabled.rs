use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::remedy::{Literal, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS009,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let (field, what) = if cluster.workload_identity.known() == Some(&false) {
            (
                &cluster.workload_identity,
                "Workload identity is not enabled",
            )
        } else if cluster.oidc_issuer.known() == Some(&false) {
            (&cluster.oidc_issuer, "The OIDC issuer is not enabled")
        } else {
            continue;
        };
        let help = format!(
            "{} and {}",
            spelling::set(cluster, &f::WORKLOAD_IDENTITY, "true", "true"),
            spelling::assignment(cluster, &f::OIDC_ISSUER, "true", "true")
        );
        // Both switches in one fix: turning on only one would leave the finding standing.
        let changes = [&cluster.workload_identity, &cluster.oidc_issuer]
            .into_iter()
            .filter(|f| f.known() == Some(&false))
            .map(|f| super::change_for(f, Literal::Bool(true)))
            .collect();
        out.push(
            RULE.at_field(
                cluster,
                field,
                format!("{what}: pods cannot use Entra workload identities and fall back to stored secrets"),
                help.to_string(),
            )
            .with_remedy(Remedy::new(help, changes)),
        );
    }
}
