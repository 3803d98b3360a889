use super::{report_disabled, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS014",
    slug: "defender-sensor-disabled",
    severity: Severity::Medium,
    summary: "The Defender for Containers sensor is not enabled on the cluster",
    doc: include_str!("../../rules/AKS014.md"),
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
