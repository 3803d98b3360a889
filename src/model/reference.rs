//! How one resource names another: a Terraform address, an Azure resource ID, or unknown.

use super::raw::RawResource;
use crate::value::{Kind, Value};

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
}
