use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::policy::PolicyScope;
use crate::model::raw::Format;
use crate::model::registry::{enabled, Registry};
use crate::model::{Model, RegistryLink};

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR006,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for (index, registry) in model.registries.iter().enumerate() {
        // Content trust needs Premium; on other SKUs ACR003 says what is missing.
        if registry.premium() != Some(true) {
            continue;
        }
        match registry.content_trust.known() {
            Some(status) if !enabled(status) => {}
            _ => continue,
        }
        if image_integrity_covers(model, index, registry) {
            continue;
        }
        let name = registry.label();
        let removed = registry.resource.format == Format::Terraform
            && registry.provider_major.is_none_or(|m| m >= 5);
        let message = if removed {
            format!("Registry `{name}` has no signature verification: azurerm 5 removed Docker Content Trust and no Image Integrity (Notation) policy is assigned in the landing zone")
        } else {
            format!("Registry `{name}` has no signature verification: content trust is off and no Image Integrity (Notation) policy is assigned in the landing zone")
        };
        out.push(RULE.at_field(
            &registry.resource,
            &registry.content_trust,
            message,
            "Sign images with Notation and assign the Image Integrity policy (definition cf426bb8-b320-4321-8545-1b784a5df3a4) to the landing zone; Docker Content Trust is deprecated and removed on 2028-03-31".to_string(),
        ));
    }
}

/// An Image Integrity assignment in the registry's zone whose scope includes the registry:
/// a resource group assignment only covers registries of that resource group.
fn image_integrity_covers(model: &Model, index: usize, registry: &Registry) -> bool {
    Model::in_zone(
        &model.index.policy_assignments_by_zone,
        registry.resource.zone,
    )
    .iter()
    .map(|&i| &model.policy_assignments[i])
    .filter(|p| p.image_integrity)
    .any(|p| match &p.scope {
        PolicyScope::Zone => true,
        PolicyScope::ResourceGroup(group) => {
            let scope = model.group_name(p.resource.unit, group);
            let own = registry
                .resource_group
                .as_ref()
                .and_then(|g| model.group_name(registry.resource.unit, g));
            match (scope, own) {
                (Some(a), Some(b)) => a == b,
                // Either side unknown: it may well cover the registry.
                _ => registry.resource.format == crate::model::raw::Format::Terraform,
            }
        }
        PolicyScope::Resource(reference) => {
            model.resolve_registry(reference, p.resource.unit, p.resource.zone)
                == RegistryLink::Registry(index)
        }
    })
}
