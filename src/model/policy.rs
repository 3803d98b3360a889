//! Azure Policy assignments: the Image Integrity initiative and the scope it covers.

use super::raw::{Format, RawResource};
use super::reference::{group_of_id, GroupRef, Reference};
use super::Resource;
use crate::value::Value;

pub const ARM_POLICY_ASSIGNMENT: &str = "Microsoft.Authorization/policyAssignments";

/// Image Integrity (Notation signature verification): the policy definition and initiative.
pub const IMAGE_INTEGRITY_POLICIES: &[&str] = &[
    "cf426bb8-b320-4321-8545-1b784a5df3a4",
    "5dc99dae-cfb2-42cc-8762-9aae02b74e27",
];

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyScope {
    ResourceGroup(GroupRef),
    /// Subscription, management group, or a scope we cannot pin down: the whole zone.
    Zone,
    /// A single resource.
    Resource(Reference),
}

#[derive(Debug)]
pub struct PolicyAssignment {
    pub resource: Resource,
    pub image_integrity: bool,
    pub scope: PolicyScope,
}

pub fn is_policy_assignment(kind: &str) -> bool {
    (kind.starts_with("azurerm_") && kind.ends_with("policy_assignment"))
        || kind.eq_ignore_ascii_case(ARM_POLICY_ASSIGNMENT)
}

pub fn lower_policy_assignment(res: &RawResource, unit: usize, zone: usize) -> PolicyAssignment {
    let definition = if res.format == Format::Terraform {
        res.body.get("policy_definition_id")
    } else {
        res.body
            .get_ci("properties")
            .and_then(|p| p.get_ci("policyDefinitionId"))
    };
    let image_integrity = definition
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .is_some_and(|d| IMAGE_INTEGRITY_POLICIES.iter().any(|p| d.ends_with(p)));
    let scope = match res.kind.as_str() {
        "azurerm_resource_group_policy_assignment" => {
            match Reference::of(res.body.get("resource_group_id")) {
                Reference::Address(a) => PolicyScope::ResourceGroup(GroupRef::Address(a)),
                Reference::Id(id) => match group_of_id(&id) {
                    Some(name) => PolicyScope::ResourceGroup(GroupRef::Name(name)),
                    None => PolicyScope::Zone,
                },
                Reference::Unknown => PolicyScope::Zone,
            }
        }
        "azurerm_resource_policy_assignment" => {
            PolicyScope::Resource(Reference::of(res.body.get("resource_id")))
        }
        _ => PolicyScope::Zone,
    };
    PolicyAssignment {
        resource: Resource::new(res, unit, zone),
        image_integrity,
        scope,
    }
}
