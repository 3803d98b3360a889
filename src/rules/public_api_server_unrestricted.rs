use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS001,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        if cluster.private_cluster.known() != Some(&false) {
            continue;
        }
        // Any range, even one we cannot resolve, means the server is restricted.
        let Some(ranges) = cluster.authorized_ip_ranges.known() else {
            continue;
        };
        if !ranges.is_empty() {
            continue;
        }
        let field_name = spelling::name(cluster, &f::AUTHORIZED_IP_RANGES);
        let message = "The API server is reachable from the whole internet: the cluster is not private and no authorized IP ranges are set".to_string();
        let help = format!(
            "Make the cluster private ({}) or restrict `{field_name}` to your egress and office ranges",
            spelling::assignment(cluster, &f::PRIVATE_CLUSTER, "true", "true"),
        );
        let finding = if cluster.authorized_ip_ranges.is_set() {
            RULE.at_field(cluster, &cluster.authorized_ip_ranges, message, help)
        } else {
            RULE.at_field(cluster, &cluster.private_cluster, message, help)
        };
        out.push(finding);
    }
}
