use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

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
            format!(
                "{} and grant AcrPull/AcrPush to identities",
                spelling::set(&registry.resource, &f::REGISTRY_ADMIN, "false", "false")
            ),
        ).with_remedy(remedy));
    }
}
