use super::{catalogue, spelled, Context, Rule};
use crate::finding::Finding;
use crate::model::registry::enabled;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR007,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        // A Premium feature: on other SKUs ACR003 says what is missing.
        if registry.premium() != Some(true) {
            continue;
        }
        match registry.retention.known() {
            Some(status) if !enabled(status) => {}
            _ => continue,
        }
        let name = registry.label();
        out.push(RULE.at_field(
            &registry.resource,
            &registry.retention,
            format!("Registry `{name}` keeps untagged manifests forever: stale, unpatched images stay pullable"),
            spelled(&registry.resource, "Set `retention_policy_in_days = 7` (azurerm 3.x: `retention_policy { enabled = true, days = 7 }`)", "Set `policies.retentionPolicy: { status: \"enabled\", days: 7 }`").to_string(),
        ));
    }
}
