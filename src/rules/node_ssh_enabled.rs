use super::{catalogue, set_field, Context, Rule};
use crate::finding::Finding;
use crate::model::cluster::{Cluster, NodePool};
use crate::model::field::State;
use crate::model::raw::Format;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS015,
    check,
};

/// Nodes accept SSH when the cluster installs a public key on them (known and non-empty)
/// and the pool does not turn the SSH service off. Without a key nobody can log in, in any
/// format; with one, Terraform cannot say `Disabled` (azurerm has no attribute for it).
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for cluster in &model.clusters {
        if cluster.ssh_key.known() != Some(&true) {
            continue;
        }
        if cluster.format == Format::Terraform {
            out.push(RULE.at_field(
                cluster,
                &cluster.ssh_key,
                "Nodes accept SSH with this key: node access should go through `kubectl debug`, not SSH".to_string(),
                "Remove `linux_profile.ssh_key`; azurerm cannot disable SSH, so set `securityProfile.sshAccess = \"Disabled\"` on each pool with the azapi provider".to_string(),
            ));
            continue;
        }
        for pool in &cluster.pools {
            report_pool(cluster, pool, out);
        }
    }
    for pool in &model.node_pools {
        // A separate pool of a cluster the scan does not hold: whether a key is installed
        // is unknown.
        let Some(cluster) = pool.cluster.and_then(|c| model.clusters.get(c)) else {
            continue;
        };
        if pool.format != Format::Terraform && cluster.ssh_key.known() == Some(&true) {
            report_pool(cluster, pool, out);
        }
    }
}

fn report_pool(cluster: &Cluster, pool: &NodePool, out: &mut Vec<Finding>) {
    let Some(access) = pool.ssh_access.known() else {
        return;
    };
    if access.eq_ignore_ascii_case("Disabled") {
        return;
    }
    let pool_name = format!("Node pool `{}`", pool.label);
    // Only what is written or defaulted: an absent `sshAccess` is not claimed to be written.
    let state = match pool.ssh_access.state {
        State::Default => format!("`sshAccess` is not set, and the AKS API default is `{access}`"),
        _ => format!("`sshAccess` is `{access}`"),
    };
    let disabled = || Literal::str("Disabled");
    let remedy = set_field(
        pool,
        &pool.ssh_access,
        disabled(),
        disabled(),
        "Disable SSH on the pool",
    );
    let mut finding = RULE
        .at_field(
            pool,
            &pool.ssh_access,
            format!("{pool_name} accepts SSH with the cluster's public key ({state})"),
            "Set `securityProfile.sshAccess: \"Disabled\"` on the pool, or remove the cluster's `linuxProfile.ssh` key".to_string(),
        )
        .with_remedy(remedy);
    finding.notes.push((
        cluster.ssh_key.at,
        "the SSH public key is configured here".to_string(),
    ));
    out.push(finding);
}
