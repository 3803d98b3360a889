use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::registry::enabled;
use crate::remedy::Literal;

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
            spelling::set(&registry.resource, &f::REGISTRY_QUARANTINE, "true", "\"enabled\""),
        ).with_remedy(remedy));
    }
}
