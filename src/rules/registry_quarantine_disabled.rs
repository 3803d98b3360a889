use super::{catalogue, set_field, spelled, Context, Rule};
use crate::finding::Finding;
use crate::fix::Literal;
use crate::model::registry::enabled;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR008,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        // A Premium feature: on other SKUs ACR003 says what is missing.
        if registry.premium() != Some(true) {
            continue;
        }
        match registry.quarantine.known() {
            Some(status) if !enabled(status) => {}
            _ => continue,
        }
        let name = registry.label();
        let remedy = set_field(
            &registry.resource,
            &registry.quarantine,
            true.into(),
            Literal::str("enabled"),
            "Enable the quarantine policy",
        );
        out.push(RULE.at_field(
            &registry.resource,
            &registry.quarantine,
            format!("Registry `{name}` has no quarantine policy: pushed images can be pulled before the vulnerability scan gate"),
            spelled(&registry.resource, "Set `quarantine_policy_enabled = true`", "Set `policies.quarantinePolicy.status: \"enabled\"`").to_string(),
        ).with_remedy(remedy));
    }
}
