use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::Model;

pub const RULE: Rule = Rule {
    meta: &catalogue::DEF003,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for registry in &model.registries {
        let restricted =
            registry.public_access() == Some(false) || registry.denies_by_default() == Some(true);
        if !restricted {
            continue;
        }
        if !registry
            .bypass
            .known()
            .is_some_and(|b| b.eq_ignore_ascii_case("None"))
        {
            continue;
        }
        let zone_pricings = Model::in_zone(&model.index.pricings_by_zone, registry.resource.zone);
        let scanning_expected = zone_pricings.iter().map(|&i| &model.pricings[i]).any(|p| {
            p.is_plan("Containers")
                && p.standard() == Some(true)
                && p.registry_scanning == Some(true)
        });
        if !scanning_expected {
            continue;
        }
        let name = registry.label();
        out.push(RULE.at_field(
            &registry.resource,
            &registry.bypass,
            format!("Registry `{name}` is closed to the internet and does not let trusted Azure services through: Defender for Containers cannot pull its images to scan them, although the landing zone's plan expects to"),
            format!(
                "{} (the default) so Defender's scanner, a trusted service, can reach the registry",
                spelling::set(&registry.resource, &f::REGISTRY_BYPASS, "\"AzureServices\"", "\"AzureServices\"")
            ),
        ));
    }
}
