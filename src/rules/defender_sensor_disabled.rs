use super::{catalogue, report_disabled, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS014,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    report_disabled(
        ctx,
        out,
        &RULE,
        |c| &c.defender,
        "The Microsoft Defender sensor is not enabled: runtime threats on the nodes go undetected",
        |cluster| match cluster.format {
            Format::Terraform => format!(
                "Add a `{} {{ log_analytics_workspace_id = ... }}` block",
                spelling::name(cluster, &f::DEFENDER)
            ),
            _ => format!(
                "{} with a `logAnalyticsWorkspaceResourceId`",
                spelling::set(cluster, &f::DEFENDER, "", "true")
            ),
        },
        // No literal fix: the sensor needs the cluster's Log Analytics workspace.
        false,
    );
}
