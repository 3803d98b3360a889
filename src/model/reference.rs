//! How one resource names another: a Terraform address, an Azure resource ID, or unknown.

use super::raw::RawResource;
use crate::value::{Kind, Referent, Value};

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
    /// A Terraform resource ID (an unknown that names its resource by full address,
    /// wherever it travelled) becomes an address; strings that look like resource IDs
    /// become IDs.
    pub fn of(value: Option<&Value>) -> Reference {
        let Some(value) = value else {
            return Reference::Unknown;
        };
        if let Some(address) = terraform_address(value, "id") {
            return Reference::Address(address.to_string());
        }
        match &value.kind {
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
    /// `reference('<cluster id>').identityProfile.kubeletidentity.objectId` (Bicep
    /// `aks.properties.identityProfile.kubeletidentity.objectId`).
    pub fn kubelet_owner(value: Option<&Value>) -> Option<ClusterRef> {
        let value = value?;
        if !value.is_unknown() {
            return None;
        }
        match value.referent.as_deref()? {
            Referent::Terraform {
                resource_type,
                address: Some(address),
                attribute,
            } if attribute == "kubelet_identity" && resource_type == super::cluster::TF_CLUSTER => {
                Some(ClusterRef::Address(address.clone()))
            }
            Referent::Deployed { id, path }
                if path.to_ascii_lowercase().contains("kubeletidentity") =>
            {
                let id = parse_resource_id(id)?;
                id.kind
                    .eq_ignore_ascii_case(super::cluster::ARM_CLUSTER)
                    .then_some(ClusterRef::Name(id.name))
            }
            _ => None,
        }
    }
}

/// The full address of the Terraform resource an unknown value is the `attribute` of.
pub fn terraform_address<'v>(value: &'v Value, attribute: &str) -> Option<&'v str> {
    if !value.is_unknown() {
        return None;
    }
    value.referent.as_deref()?.terraform_address(attribute)
}

/// How a role assignment names the cluster whose kubelet identity it grants.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterRef {
    /// Terraform address in the same root.
    Address(String),
    /// ARM cluster name.
    Name(String),
}

/// A resource group as Terraform names it: a reference to an `azurerm_resource_group` of
/// the same root, or its (lower-case) name.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupRef {
    Address(String),
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

/// `/subscriptions/s/resourceGroups/NAME[/...]` -> lower-case NAME.
pub fn group_of_id(id: &str) -> Option<String> {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let at = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("resourceGroups"))?;
    let name = segments.get(at + 1)?;
    (!name.starts_with('{')).then(|| name.to_ascii_lowercase())
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

    fn unknown(text: &str, referent: Referent) -> Value {
        Value::unknown_referring(text, None, referent)
    }

    #[test]
    fn links_read_the_referent_not_the_text() {
        let id = unknown(
            "var.registry_id",
            Referent::terraform_id(
                "azurerm_container_registry",
                Some("module.acr.azurerm_container_registry.this".to_string()),
            ),
        );
        assert_eq!(
            Reference::of(Some(&id)),
            Reference::Address("module.acr.azurerm_container_registry.this".to_string())
        );
        // Text that looks like an ID reference but was not made one by the adapter.
        let text = Value::unknown("azurerm_container_registry.acr.id", None);
        assert_eq!(Reference::of(Some(&text)), Reference::Unknown);
        let arm_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1";
        assert_eq!(
            Reference::of(Some(&Value::string(arm_id, None))),
            Reference::Id(arm_id.to_string())
        );
    }

    #[test]
    fn a_kubelet_identity_names_its_cluster_in_each_format() {
        let terraform = unknown(
            "azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id",
            Referent::Terraform {
                resource_type: "azurerm_kubernetes_cluster".to_string(),
                address: Some("module.aks.azurerm_kubernetes_cluster.aks".to_string()),
                attribute: "kubelet_identity".to_string(),
            },
        );
        assert_eq!(
            Reference::kubelet_owner(Some(&terraform)),
            Some(ClusterRef::Address(
                "module.aks.azurerm_kubernetes_cluster.aks".to_string()
            ))
        );
        let other = unknown(
            "azurerm_user_assigned_identity.id.principal_id",
            Referent::Terraform {
                resource_type: "azurerm_user_assigned_identity".to_string(),
                address: Some("azurerm_user_assigned_identity.id".to_string()),
                attribute: "principal_id".to_string(),
            },
        );
        assert_eq!(Reference::kubelet_owner(Some(&other)), None);
        // ARM `reference(...)` and Bicep `aks.properties...` both become this referent.
        let deployed = unknown(
            "reference('...').identityProfile.kubeletidentity.objectId",
            Referent::deployed(
                "/subscriptions/{subscription().subscriptionId}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
                "identityProfile.kubeletidentity.objectId",
            ),
        );
        assert_eq!(
            Reference::kubelet_owner(Some(&deployed)),
            Some(ClusterRef::Name("aks1".to_string()))
        );
        let registry = unknown(
            "reference('...').loginServer",
            Referent::deployed(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1",
                "identityProfile.kubeletidentity.objectId",
            ),
        );
        assert_eq!(Reference::kubelet_owner(Some(&registry)), None);
    }
}
