use super::{all_pools, set_field, Context, Rule};
use crate::finding::Finding;
use crate::fix::Literal;
use crate::model::raw::Format;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS015",
    slug: "node-ssh-enabled",
    severity: Severity::Medium,
    summary: "Nodes accept SSH connections",
    doc: include_str!("../../rules/AKS015.md"),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // azurerm has no attribute to turn SSH off: the key itself is the finding.
    for cluster in &ctx.model.clusters {
        if cluster.format == Format::Terraform && cluster.ssh_key.known() == Some(&true) {
            out.push(RULE.at_field(
                cluster,
                &cluster.ssh_key,
                "Nodes accept SSH with this key: node access should go through `kubectl debug`, not SSH".to_string(),
                "Remove `linux_profile.ssh_key`; azurerm cannot disable SSH, so set `securityProfile.sshAccess = \"Disabled\"` on each pool with the azapi provider".to_string(),
            ));
        }
    }
    for pool in all_pools(ctx.model) {
        if pool.format == Format::Terraform {
            continue;
        }
        let Some(access) = pool.ssh_access.known() else {
            continue;
        };
        if access.eq_ignore_ascii_case("Disabled") {
            continue;
        }
        let name = pool.name.as_deref().unwrap_or("?");
        let disabled = || Literal::str("Disabled");
        let remedy = set_field(
            pool,
            &pool.ssh_access,
            disabled(),
            disabled(),
            "Disable SSH on the pool",
        );
        out.push(
            RULE.at_field(
                pool,
                &pool.ssh_access,
                format!("Node pool `{name}` accepts SSH (`sshAccess` is `{access}`)"),
                "Set `securityProfile.sshAccess: \"Disabled\"` on the pool".to_string(),
            )
            .with_remedy(remedy),
        );
    }
}
