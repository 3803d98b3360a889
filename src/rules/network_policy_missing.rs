use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;

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
            match cluster.format {
                Format::Terraform => format!(
                    "{} (or \"azure\", \"calico\")",
                    spelling::set(cluster, &f::NETWORK_POLICY, "\"cilium\"", "")
                ),
                _ => format!(
                    "Set `{}` to `cilium` (or `azure`, `calico`)",
                    spelling::name(cluster, &f::NETWORK_POLICY)
                ),
            },
        ));
    }
}
