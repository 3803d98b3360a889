//! Container registries and the resources that link to them: private endpoints, AcrPull
//! role assignments, Defender pricings and Image Integrity policy assignments.

use super::field::{Field, Reader};
use super::fields as f;
use super::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::{Kind, Value};

pub const TF_REGISTRY: &str = "azurerm_container_registry";
pub const TF_REGISTRY_DATA: &str = "data.azurerm_container_registry";
pub const ARM_REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
pub const TF_PRIVATE_ENDPOINT: &str = "azurerm_private_endpoint";
pub const ARM_PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
pub const TF_ROLE_ASSIGNMENT: &str = "azurerm_role_assignment";
pub const ARM_ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
pub const TF_PRICING: &str = "azurerm_security_center_subscription_pricing";
pub const ARM_PRICING: &str = "Microsoft.Security/pricings";
pub const ARM_POLICY_ASSIGNMENT: &str = "Microsoft.Authorization/policyAssignments";

/// The built-in AcrPull role definition.
pub const ACR_PULL_ROLE: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
/// Image Integrity (Notation signature verification): the policy definition and initiative.
pub const IMAGE_INTEGRITY_POLICIES: &[&str] = &[
    "cf426bb8-b320-4321-8545-1b784a5df3a4",
    "5dc99dae-cfb2-42cc-8762-9aae02b74e27",
];
pub const REGISTRY_SCANNING_EXTENSION: &str = "ContainerRegistriesVulnerabilityAssessments";

/// Something that names another resource: a Terraform reference in the same root
/// (`azurerm_container_registry.acr`, `data.azurerm_container_registry.shared`), an Azure
/// resource ID (literal, or built by an ARM template with placeholder segments), or unknown.
#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    Address(String),
    Id(String),
    Unknown,
}

impl Reference {
    /// Terraform reference attributes become addresses; strings that look like resource IDs
    /// become IDs.
    pub fn of(value: Option<&Value>) -> Reference {
        let Some(value) = value else {
            return Reference::Unknown;
        };
        // A Terraform resource ID that travelled through variables, locals or module
        // arguments still names its resource, by full address.
        if let Some(address) = crate::terraform::eval::id_address(value) {
            return Reference::Address(address.to_string());
        }
        match &value.kind {
            Kind::Unknown(expr) => {
                let expr = expr.trim();
                // `type.name.id`, `type.name["key"].id`, `data.type.name.id`
                let Some(base) = expr.strip_suffix(".id") else {
                    return Reference::Unknown;
                };
                if base.contains(['(', ' ', '?']) {
                    return Reference::Unknown;
                }
                Reference::Address(base.to_string())
            }
            Kind::String(s) if s.starts_with('/') => Reference::Id(s.clone()),
            // Bicep compiles `scope: acr` to a relative ID: `Microsoft.X/type/name`.
            Kind::String(s) if s.starts_with("Microsoft.") && s.contains('/') => {
                Reference::Id(format!("/providers/{s}"))
            }
            _ => Reference::Unknown,
        }
    }

    /// The cluster a kubelet identity belongs to: Terraform
    /// `azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id`, ARM
    /// `reference('<cluster id>').identityProfile.kubeletidentity.objectId`.
    pub fn kubelet_owner(value: Option<&Value>) -> Option<ClusterRef> {
        let Kind::Unknown(expr) = &value?.kind else {
            return None;
        };
        if let Some((base, _)) = expr.split_once(".kubelet_identity") {
            return base
                .starts_with("azurerm_kubernetes_cluster.")
                .then(|| ClusterRef::Address(base.to_string()));
        }
        if !expr.to_ascii_lowercase().contains("kubeletidentity") {
            return None;
        }
        let inner = expr.strip_prefix("reference('")?.split_once("')")?.0;
        let id = parse_resource_id(inner)?;
        id.kind
            .eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters")
            .then_some(ClusterRef::Name(id.name))
    }
}

/// How a role assignment names the cluster whose kubelet identity it grants.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterRef {
    /// Terraform address in the same root.
    Address(String),
    /// ARM cluster name.
    Name(String),
}

/// The parts of an Azure resource ID that linking needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceId {
    /// `None` when absent or a placeholder only the deployment knows.
    pub subscription: Option<String>,
    /// The resource provider type of the last resource, e.g. `Microsoft.ContainerRegistry/registries`.
    pub kind: String,
    pub name: String,
}

pub fn parse_resource_id(id: &str) -> Option<ResourceId> {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let mut subscription = None;
    if segments.len() >= 2 && segments[0].eq_ignore_ascii_case("subscriptions") {
        let sub = segments[1];
        if !sub.starts_with('{') && !sub.is_empty() {
            subscription = Some(sub.to_ascii_lowercase());
        }
    }
    let providers = segments
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))?;
    let rest = &segments[providers + 1..];
    // namespace / type / name [/ childType / childName]...
    if rest.len() < 3 || rest.len().is_multiple_of(2) {
        return None;
    }
    // namespace/type1/name1/type2/name2: the types sit at odd positions.
    let mut kind = rest[0].to_string();
    for segment in rest.iter().skip(1).step_by(2) {
        kind.push('/');
        kind.push_str(segment);
    }
    let name = rest[rest.len() - 1];
    if name.starts_with('{') {
        return None;
    }
    Some(ResourceId {
        subscription,
        kind,
        name: name.to_string(),
    })
}

/// Common identity of the linked resources.
#[derive(Clone, Debug)]
pub struct Located {
    pub address: String,
    pub format: Format,
    pub file: FileId,
    pub header: Loc,
    pub unit: usize,
    pub zone: usize,
}

#[derive(Debug)]
pub struct Registry {
    pub at: Located,
    pub name: Option<String>,
    /// How messages name the registry (see [`super::cluster::label_of`]).
    pub label: String,
    pub provider_major: Option<u8>,
    /// Terraform: the resource group, to match resource-group scoped policy assignments.
    pub resource_group: Option<GroupRef>,
    pub sku: Field<String>,
    pub public_network: Field<String>,
    pub default_action: Field<String>,
    pub admin_user: Field<bool>,
    pub anonymous_pull: Field<bool>,
    pub content_trust: Field<String>,
    pub retention: Field<String>,
    pub quarantine: Field<String>,
    pub bypass: Field<String>,
}

impl Registry {
    /// The registry's name for messages: its name, else how it is written.
    pub fn label(&self) -> &str {
        if self.at.format == Format::Terraform {
            // Terraform messages have always used the name when known.
            return self.name.as_deref().unwrap_or(&self.label);
        }
        &self.label
    }
    pub fn premium(&self) -> Option<bool> {
        self.sku.known().map(|s| s.eq_ignore_ascii_case("Premium"))
    }
    /// `true`/`Enabled` (Terraform booleans and ARM status strings alike).
    pub fn public_access(&self) -> Option<bool> {
        self.public_network.known().map(|v| enabled(v))
    }
    pub fn denies_by_default(&self) -> Option<bool> {
        self.default_action
            .known()
            .map(|v| v.eq_ignore_ascii_case("Deny"))
    }
}

/// Terraform booleans rendered as text, ARM `Enabled`/`enabled`, retention days > 0.
pub fn enabled(text: &str) -> bool {
    text.eq_ignore_ascii_case("true")
        || text.eq_ignore_ascii_case("enabled")
        || text.parse::<f64>().is_ok_and(|n| n > 0.0)
}

pub fn lower_registry(res: &RawResource, unit: usize, zone: usize) -> Registry {
    let arm = res.format != Format::Terraform;
    let major = res.provider_major;
    let reader = Reader {
        root: &res.body,
        header: res.header,
        arm,
    };
    let resource_group = if arm {
        None
    } else {
        res.body
            .get("resource_group_name")
            .and_then(|v| match &v.kind {
                Kind::Unknown(expr) => expr
                    .strip_suffix(".name")
                    .map(|a| GroupRef::Address(a.to_string())),
                Kind::String(s) => Some(GroupRef::Name(s.to_ascii_lowercase())),
                _ => None,
            })
    };
    Registry {
        at: located(res, unit, zone),
        name: res.name.clone(),
        label: super::cluster::label_of(res),
        provider_major: major,
        resource_group,
        sku: reader.string(&f::REGISTRY_SKU, major),
        public_network: reader.string(&f::REGISTRY_PUBLIC_NETWORK, major),
        default_action: reader.string(&f::REGISTRY_DEFAULT_ACTION, major),
        admin_user: reader.bool(&f::REGISTRY_ADMIN, major),
        anonymous_pull: reader.bool(&f::REGISTRY_ANONYMOUS_PULL, major),
        content_trust: reader.string(&f::REGISTRY_TRUST, major),
        retention: reader.string(&f::REGISTRY_RETENTION, major),
        quarantine: reader.string(&f::REGISTRY_QUARANTINE, major),
        bypass: reader.string(&f::REGISTRY_BYPASS, major),
    }
}

pub fn located(res: &RawResource, unit: usize, zone: usize) -> Located {
    Located {
        address: res.address.clone(),
        format: res.format,
        file: res.file,
        header: res.header,
        unit,
        zone,
    }
}

/// A Terraform `data "azurerm_container_registry"`: a registry referenced by name.
#[derive(Debug)]
pub struct RegistryData {
    pub address: String,
    pub unit: usize,
    pub name: Option<String>,
    /// The provider configuration it reads through: `azurerm` or `azurerm.<alias>`.
    pub provider: String,
}

#[derive(Debug)]
pub struct Connection {
    pub target: Reference,
    /// Group IDs / subresource names when known.
    pub groups: Option<Vec<String>>,
    pub at: Loc,
    /// Filled by linking: the registry this connection reaches.
    pub registry: Option<usize>,
}

#[derive(Debug)]
pub struct PrivateEndpoint {
    pub at: Located,
    pub connections: Vec<Connection>,
}

pub fn lower_private_endpoint(res: &RawResource, unit: usize, zone: usize) -> PrivateEndpoint {
    let mut connections = Vec::new();
    if res.format == Format::Terraform {
        for entry in res.body.entries("private_service_connection") {
            let block = &entry.value;
            connections.push(Connection {
                target: Reference::of(block.get("private_connection_resource_id")),
                groups: string_list(block.get("subresource_names")),
                at: entry.key_loc.unwrap_or(res.header),
                registry: None,
            });
        }
    } else if let Some(props) = res.body.get_ci("properties") {
        for list in [
            "privateLinkServiceConnections",
            "manualPrivateLinkServiceConnections",
        ] {
            for item in props.get_ci(list).and_then(Value::as_list).unwrap_or(&[]) {
                let inner = item.get_ci("properties").unwrap_or(item);
                connections.push(Connection {
                    target: Reference::of(inner.get_ci("privateLinkServiceId")),
                    groups: string_list(inner.get_ci("groupIds")),
                    at: item.loc.unwrap_or(res.header),
                    registry: None,
                });
            }
        }
    }
    PrivateEndpoint {
        at: located(res, unit, zone),
        connections,
    }
}

fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_list()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    AcrPull,
    Other,
    Unknown,
}

#[derive(Debug)]
pub struct RoleAssignment {
    pub at: Located,
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
        at: located(res, unit, zone),
        role,
        scope,
        kubelet_of: Reference::kubelet_owner(principal),
        registry: None,
        registry_zone: None,
        cluster: None,
    }
}

/// ARM's older nested form of an extension resource, `<parent type>/providers/<type>` named
/// `<parent>/<namespace>/<name>`: the parent it is scoped to.
pub(crate) fn nested_scope(res: &RawResource) -> Reference {
    let Some((parent_type, _)) = res.kind.split_once("/providers/") else {
        return Reference::Unknown;
    };
    let Some(name) = &res.name else {
        return Reference::Unknown;
    };
    // `<parent>/Microsoft.Authorization/<name>`, `<parent>/Microsoft.Insights/<name>`
    let Some(parent_name) = name.rsplitn(3, '/').nth(2) else {
        return Reference::Unknown;
    };
    let (namespace, kind) = parent_type.split_once('/').unwrap_or((parent_type, ""));
    Reference::Id(format!("/providers/{namespace}/{kind}/{parent_name}"))
}

#[derive(Debug)]
pub struct Pricing {
    pub at: Located,
    pub plan: Field<String>,
    pub tier: Field<String>,
    /// Registry vulnerability assessment for a Containers plan: Some(true/false) when known.
    pub registry_scanning: Option<bool>,
}

impl Pricing {
    pub fn is_plan(&self, plan: &str) -> bool {
        self.plan
            .known()
            .is_some_and(|p| p.eq_ignore_ascii_case(plan))
    }
    pub fn standard(&self) -> Option<bool> {
        self.tier
            .known()
            .map(|t| t.eq_ignore_ascii_case("Standard"))
    }
}

pub fn lower_pricing(res: &RawResource, unit: usize, zone: usize) -> Pricing {
    let arm = res.format != Format::Terraform;
    let reader = Reader {
        root: &res.body,
        header: res.header,
        arm,
    };
    let mut plan = reader.string(&f::PRICING_PLAN, res.provider_major);
    if arm {
        // Nested under a subscription deployment the name can carry a parent prefix.
        if let Some(name) = plan.value.as_deref().and_then(|n| n.rsplit('/').next()) {
            plan.value = Some(name.to_string());
        }
    }
    let tier = reader.string(&f::PRICING_TIER, res.provider_major);
    let registry_scanning = if arm {
        // ARM enables a plan's extensions unless they are listed as disabled.
        match res
            .body
            .get_ci("properties")
            .and_then(|p| p.get_ci("extensions"))
        {
            None => Some(true),
            Some(v) => match v.as_list() {
                Some(items) => {
                    let entry = items.iter().find(|e| {
                        e.get_ci("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(REGISTRY_SCANNING_EXTENSION))
                    });
                    match entry {
                        None => Some(true),
                        Some(e) => e.get_ci("isEnabled").and_then(Value::as_bool),
                    }
                }
                None => None,
            },
        }
    } else {
        // azurerm: an omitted `extension` block means the extension is disabled.
        let mut known = true;
        let mut found = false;
        for entry in res.body.entries("extension") {
            match entry.value.get("name").map(|v| &v.kind) {
                Some(Kind::String(n)) if n.eq_ignore_ascii_case(REGISTRY_SCANNING_EXTENSION) => {
                    found = true
                }
                Some(Kind::String(_)) => {}
                _ => known = false,
            }
        }
        if found {
            Some(true)
        } else if known {
            Some(false)
        } else {
            None
        }
    };
    Pricing {
        at: located(res, unit, zone),
        plan,
        tier,
        registry_scanning,
    }
}

/// A resource group as Terraform names it: a reference to an `azurerm_resource_group` of
/// the same root, or its (lower-case) name.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupRef {
    Address(String),
    Name(String),
}

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
    pub at: Located,
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
        at: located(res, unit, zone),
        image_integrity,
        scope,
    }
}

/// `/subscriptions/s/resourceGroups/NAME[/...]` -> lower-case NAME.
pub fn group_of_id(id: &str) -> Option<String> {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let at = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("resourceGroups"))?;
    let name = segments.get(at + 1)?;
    (!name.starts_with('{')).then(|| name.to_ascii_lowercase())
}

/// Any virtual machine or scale set other than AKS nodes (DEF004).
pub fn is_virtual_machine(kind: &str) -> bool {
    (kind.starts_with("azurerm_") && kind.contains("virtual_machine"))
        || kind
            .to_ascii_lowercase()
            .starts_with("microsoft.compute/virtualmachine")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids() {
        let id = parse_resource_id("/subscriptions/00000006-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/lz0006acr").unwrap();
        assert_eq!(id.kind, "Microsoft.ContainerRegistry/registries");
        assert_eq!(id.name, "lz0006acr");
        assert_eq!(
            id.subscription.as_deref(),
            Some("00000006-1111-4111-8111-111111111111")
        );
        let placeholder = parse_resource_id("/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ContainerRegistry/registries/acr1").unwrap();
        assert_eq!(placeholder.subscription, None);
        assert_eq!(placeholder.kind, "Microsoft.ContainerRegistry/registries");
        let child = parse_resource_id("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/user").unwrap();
        assert_eq!(
            child.kind,
            "Microsoft.ContainerService/managedClusters/agentPools"
        );
        assert_eq!(child.name, "user");
        assert!(parse_resource_id("/subscriptions/s/resourceGroups/rg").is_none());
    }
}
