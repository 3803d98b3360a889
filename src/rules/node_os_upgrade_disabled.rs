use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;
use crate::remedy::Literal;

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
            match cluster.format {
                Format::Terraform => format!(
                    "{} or `SecurityPatch`, or remove it",
                    spelling::set(cluster, &f::NODE_OS_CHANNEL, "\"NodeImage\"", "")
                ),
                _ => format!(
                    "Set `{}` to `NodeImage` or `SecurityPatch`, or remove it",
                    spelling::name(cluster, &f::NODE_OS_CHANNEL)
                ),
            },
        ).with_remedy(remedy));
    }
}
