use super::{spelled, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS008",
    slug: "network-policy-missing",
    severity: Severity::Medium,
    summary: "No network policy engine: pod traffic cannot be segmented",
    doc: include_str!("../../rules/AKS008.md"),
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
