//! Role assignments: which scope they grant, and whose kubelet identity receives AcrPull.

use super::raw::{Format, RawResource};
use super::reference::{nested_scope, ClusterRef, Reference};
use super::Resource;
use crate::value::Kind;

pub const TF_ROLE_ASSIGNMENT: &str = "azurerm_role_assignment";
pub const ARM_ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";

/// The built-in AcrPull role definition.
pub const ACR_PULL_ROLE: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    AcrPull,
    Other,
    Unknown,
}

#[derive(Debug)]
pub struct RoleAssignment {
    pub resource: Resource,
    pub role: Role,
    pub scope: Reference,
    /// The cluster whose kubelet identity is the principal.
    pub kubelet_of: Option<ClusterRef>,
    /// Filled by linking.
    pub registry: Option<usize>,
    /// Filled by linking: the zone of the registry, or of the scope's subscription.
    pub registry_zone: Option<usize>,
    pub cluster: Option<usize>,
}

pub fn lower_role_assignment(res: &RawResource, unit: usize, zone: usize) -> RoleAssignment {
    let (role_name, role_id, scope, principal) = if res.format == Format::Terraform {
        (
            res.body.get("role_definition_name"),
            res.body.get("role_definition_id"),
            res.body.get("scope"),
            res.body.get("principal_id"),
        )
    } else {
        let props = res.body.get_ci("properties");
        (
            None,
            props.and_then(|p| p.get_ci("roleDefinitionId")),
            res.body.get_ci("scope"),
            props.and_then(|p| p.get_ci("principalId")),
        )
    };
    let role = match (role_name.map(|v| &v.kind), role_id.map(|v| &v.kind)) {
        (Some(Kind::String(name)), _) => {
            if name.eq_ignore_ascii_case("AcrPull") {
                Role::AcrPull
            } else {
                Role::Other
            }
        }
        (_, Some(Kind::String(id))) => {
            if id.to_ascii_lowercase().contains(ACR_PULL_ROLE) {
                Role::AcrPull
            } else {
                Role::Other
            }
        }
        _ => Role::Unknown,
    };
    // ARM's older nested form `<registry>/providers/roleAssignments` scopes to the parent.
    let scope = match Reference::of(scope) {
        Reference::Unknown if res.format != Format::Terraform => nested_scope(res),
        other => other,
    };
    RoleAssignment {
        resource: Resource::new(res, unit, zone),
        role,
        scope,
        kubelet_of: Reference::kubelet_owner(principal),
        registry: None,
        registry_zone: None,
        cluster: None,
    }
}
