use super::{catalogue, spelled, Context, Rule};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS008,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let Some(policy) = cluster.network_policy.known() else {
            continue;
        };
        // azure, calico and cilium all enforce NetworkPolicy (KICS wrongly rejects cilium).
        if !(policy.is_empty() || policy.eq_ignore_ascii_case("none")) {
            continue;
        }
        out.push(RULE.at_field(
            cluster,
            &cluster.network_policy,
            "The cluster has no network policy engine: NetworkPolicy objects are not enforced and every pod can reach every other".to_string(),
            spelled(
                cluster,
                "Set `network_profile { network_policy = \"cilium\" }` (or \"azure\", \"calico\")",
                "Set `networkProfile.networkPolicy` to `cilium` (or `azure`, `calico`)",
            )
            .to_string(),
        ));
    }
}
