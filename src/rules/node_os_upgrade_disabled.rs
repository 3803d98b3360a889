use super::{catalogue, set_field, spelled, Context, Rule};
use crate::finding::Finding;
use crate::fix::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS012,
    check,
};

// Absent means NodeImage, which is fine (Policy 04408ca5 treats absent as off).
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let Some(channel) = cluster.node_os_channel.known() else {
            continue;
        };
        if !(channel.eq_ignore_ascii_case("None") || channel.eq_ignore_ascii_case("Unmanaged")) {
            continue;
        }
        // NodeImage is the provider's own default and patches both OS and image.
        let node_image = || Literal::str("NodeImage");
        let remedy = set_field(
            cluster,
            &cluster.node_os_channel,
            node_image(),
            node_image(),
            "Use the `NodeImage` node OS upgrade channel",
        );
        out.push(RULE.at_field(
            cluster,
            &cluster.node_os_channel,
            format!("The node OS upgrade channel is `{channel}`: node images and OS security patches are not applied by AKS"),
            spelled(
                cluster,
                "Set `node_os_upgrade_channel = \"NodeImage\"` (azurerm 3.x: `node_os_channel_upgrade`) or `SecurityPatch`, or remove it",
                "Set `autoUpgradeProfile.nodeOSUpgradeChannel` to `NodeImage` or `SecurityPatch`, or remove it",
            )
            .to_string(),
        ).with_remedy(remedy));
    }
}
