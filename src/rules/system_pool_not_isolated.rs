use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::cluster::CRITICAL_ADDONS_TAINT;
use crate::model::fields as f;
use crate::model::raw::Format;

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
                match cluster.format {
                    Format::Terraform => format!(
                        "{} on `{}`",
                        spelling::set(cluster, &f::POOL_CRITICAL_ADDONS_ONLY, "true", ""),
                        spelling::name(cluster, &f::DEFAULT_NODE_POOL)
                    ),
                    _ => format!(
                        "Add the taint `{CRITICAL_ADDONS_TAINT}` to the System pool's `{}`",
                        spelling::name(cluster, &f::POOL_TAINTS)
                    ),
                },
            );
            finding.resource = cluster.address.clone();
            // ARM isolates with a taint in a list, which is not a single literal.
            if cluster.format == Format::Terraform {
                finding.remedy = set_field(
                    *pool,
                    &pool.critical_addons_only,
                    true.into(),
                    true.into(),
                    &spelling::set(*pool, &f::POOL_CRITICAL_ADDONS_ONLY, "true", ""),
                );
            }
            out.push(finding);
        }
    }
}
