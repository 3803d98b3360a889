use super::{catalogue, corp_zone, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR002,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        if registry.public_access() != Some(true) {
            continue;
        }
        let corp = corp_zone(ctx.model, registry.resource.zone);
        let name = registry.label();
        let message = if corp {
            format!("Registry `{name}` has public network access enabled: registries in corp landing zones must be reachable only privately")
        } else {
            match registry.denies_by_default() {
                Some(false) => format!("Registry `{name}` is open to the internet: public network access is enabled and the network rule set's default action is not `Deny`"),
                _ => continue,
            }
        };
        let help = if corp {
            format!(
                "{} and pull through a private endpoint",
                spelling::set(
                    &registry.resource,
                    &f::REGISTRY_PUBLIC_NETWORK,
                    "false",
                    "\"Disabled\""
                )
            )
        } else {
            format!(
                "{}, or {} with explicit IP rules",
                spelling::set(
                    &registry.resource,
                    &f::REGISTRY_PUBLIC_NETWORK,
                    "false",
                    "\"Disabled\""
                ),
                spelling::assignment(
                    &registry.resource,
                    &f::REGISTRY_DEFAULT_ACTION,
                    "\"Deny\"",
                    "\"Deny\""
                )
            )
        };
        let remedy = set_field(
            &registry.resource,
            &registry.public_network,
            false.into(),
            Literal::str("Disabled"),
            "Disable public network access",
        );
        out.push(
            RULE.at_field(
                &registry.resource,
                &registry.public_network,
                message,
                help.to_string(),
            )
            .with_remedy(remedy),
        );
    }
}
