use super::{catalogue, report_disabled, Context, Rule};
use crate::finding::Finding;

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
        (
            "Add a `microsoft_defender { log_analytics_workspace_id = ... }` block",
            "Set `securityProfile.defender.securityMonitoring.enabled: true` with a `logAnalyticsWorkspaceResourceId`",
        ),
        // No literal fix: the sensor needs the cluster's Log Analytics workspace.
        false,
    );
}
