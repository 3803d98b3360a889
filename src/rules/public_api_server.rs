use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS003,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let corp = ctx
            .model
            .zones
            .get(cluster.landing_zone)
            .is_some_and(|z| z.corp);
        if !corp && !ctx.config.api_server.require_private {
            continue;
        }
        if cluster.private_cluster.known() != Some(&false) {
            continue;
        }
        let why = if corp {
            "landing zones of archetype `corp` keep the API server off the internet"
        } else {
            "`[api-server] require-private` is set"
        };
        let mut finding = RULE.at_field(
            cluster,
            &cluster.private_cluster,
            format!("The API server has a public endpoint: {why}"),
            format!(
                "Set {} and reach the API server through the hub network",
                spelling::assignment(cluster, &f::PRIVATE_CLUSTER, "true", "true")
            ),
        );
        // azurerm replaces the cluster when `private_cluster_enabled` changes, and every
        // client then needs a network path to the private endpoint.
        finding.remedy = set_field(
            cluster,
            &cluster.private_cluster,
            true.into(),
            true.into(),
            "Make the API server private",
        )
        .map(|r| r.needs_review("recreates the cluster; clients need a private network path"));
        if corp {
            finding.severity = Severity::High;
        }
        out.push(finding);
    }
}
