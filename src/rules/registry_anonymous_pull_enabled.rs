use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR005,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        if registry.anonymous_pull.known() != Some(&true) {
            continue;
        }
        // Anonymous pull exists on Standard and Premium only; Basic ignores the setting
        // (Checkov's CKV_AZURE_138 agrees).
        if registry
            .sku
            .known()
            .is_some_and(|s| s.eq_ignore_ascii_case("Basic"))
        {
            continue;
        }
        let name = registry.label();
        let remedy = set_field(
            &registry.resource,
            &registry.anonymous_pull,
            false.into(),
            false.into(),
            "Disable anonymous pull",
        );
        out.push(RULE.at_field(
            &registry.resource,
            &registry.anonymous_pull,
            format!("Registry `{name}` allows anonymous pull: anyone who can reach it can read every image"),
            spelling::set(&registry.resource, &f::REGISTRY_ANONYMOUS_PULL, "false", "false"),
        ).with_remedy(remedy));
    }
}
