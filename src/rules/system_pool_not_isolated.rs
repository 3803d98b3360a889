use super::{catalogue, set_field, spelled, Context, Rule};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS018,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (index, cluster) in ctx.model.clusters.iter().enumerate() {
        let pools: Vec<_> = cluster
            .pools
            .iter()
            .chain(ctx.model.pools_of(index))
            .collect();
        let has_user_pool = pools.iter().any(|p| p.system.known() == Some(&false));
        if !has_user_pool {
            continue;
        }
        for pool in pools.iter().filter(|p| p.system.known() == Some(&true)) {
            if pool.critical_addons_only.known() != Some(&false) {
                continue;
            }
            let name = pool.label.as_str();
            let mut finding = RULE.at_field(
                *pool,
                &pool.critical_addons_only,
                format!("System pool `{name}` also runs user workloads although the cluster has user pools: isolate system add-ons from applications"),
                spelled(cluster, "Set `only_critical_addons_enabled = true` on `default_node_pool`", "Add the taint `CriticalAddonsOnly=true:NoSchedule` to the System pool's `nodeTaints`").to_string(),
            );
            finding.resource = cluster.address.clone();
            // ARM isolates with a taint in a list, which is not a single literal.
            if cluster.format == crate::model::raw::Format::Terraform {
                finding.remedy = set_field(
                    *pool,
                    &pool.critical_addons_only,
                    true.into(),
                    true.into(),
                    "Set `only_critical_addons_enabled = true`",
                );
            }
            out.push(finding);
        }
    }
}
