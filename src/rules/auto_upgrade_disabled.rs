use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS011,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let Some(channel) = cluster.upgrade_channel.known() else {
            continue;
        };
        if !channel.eq_ignore_ascii_case("none") {
            continue;
        }
        let help = match cluster.format {
            Format::Terraform => format!(
                "{} or `stable`",
                spelling::set(cluster, &f::UPGRADE_CHANNEL, "\"patch\"", "")
            ),
            _ => format!(
                "Set `{}` to `patch` or `stable`",
                spelling::name(cluster, &f::UPGRADE_CHANNEL)
            ),
        };
        // `patch` is the channel that never jumps a minor version unasked.
        let patch = || Literal::str("patch");
        let remedy = set_field(
            cluster,
            &cluster.upgrade_channel,
            patch(),
            patch(),
            "Use the `patch` upgrade channel",
        );
        out.push(RULE.at_field(
            cluster,
            &cluster.upgrade_channel,
            "The cluster has no auto-upgrade channel: Kubernetes patches and minor versions are never applied automatically".to_string(),
            help.to_string(),
        ).with_remedy(remedy));
    }
}
