use super::{catalogue, zone_name, Context, Rule};
use crate::finding::Finding;
use crate::model::role_assignment::Role;

pub const RULE: Rule = Rule {
    meta: &catalogue::LZ002,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for assignment in &model.role_assignments {
        if assignment.role != Role::AcrPull {
            continue;
        }
        let (Some(cluster), Some(registry_zone)) = (assignment.cluster, assignment.registry_zone)
        else {
            continue;
        };
        let cluster = &model.clusters[cluster];
        if cluster.landing_zone == registry_zone {
            continue;
        }
        let registry = match assignment.registry {
            Some(r) => {
                let registry = &model.registries[r];
                // The address adds the type, unless its name is a placeholder.
                let address = if registry.resource.address.ends_with("/?") {
                    String::new()
                } else {
                    format!(" ({})", registry.resource.address)
                };
                format!(
                    "registry `{}`{address} of landing zone `{}`",
                    registry.label(),
                    zone_name(model, registry_zone),
                )
            }
            None => format!(
                "a registry in the subscription of landing zone `{}`",
                zone_name(model, registry_zone)
            ),
        };
        out.push(RULE.at(
            &assignment.resource,
            assignment.resource.header,
            format!(
                "This AcrPull grant links cluster `{}` of landing zone `{}` to {registry}: each landing zone should pull only from its own registry",
                cluster.label,
                zone_name(model, cluster.landing_zone),
            ),
            "cross-zone AcrPull grant".to_string(),
            "Grant AcrPull on the registry declared in the cluster's own landing zone, and import or replicate the images it needs there".to_string(),
        ));
    }
}
