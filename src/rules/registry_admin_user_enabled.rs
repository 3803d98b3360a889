use super::{catalogue, set_field, spelled, Context, Rule};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR004,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        if registry.admin_user.known() != Some(&true) {
            continue;
        }
        let name = registry.label();
        let remedy = set_field(
            &registry.resource,
            &registry.admin_user,
            false.into(),
            false.into(),
            "Disable the admin user",
        );
        out.push(RULE.at_field(
            &registry.resource,
            &registry.admin_user,
            format!("Registry `{name}` has the admin user enabled: one shared password with push and pull rights, outside Entra ID"),
            spelled(&registry.resource, "Set `admin_enabled = false` and grant AcrPull/AcrPush to identities", "Set `adminUserEnabled: false` and grant AcrPull/AcrPush to identities").to_string(),
        ).with_remedy(remedy));
    }
}
