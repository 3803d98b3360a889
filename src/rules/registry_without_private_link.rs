use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::reference::Reference;
use crate::model::RegistryLink;
use std::collections::{HashMap, HashSet};

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR001,
    check,
};

fn has_registry_group(groups: &[String]) -> bool {
    groups.iter().any(|g| g.eq_ignore_ascii_case("registry"))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // One pass over the endpoints: the connections that reach each registry, and the zones
    // where some connection's target cannot be resolved (it might be any of their registries).
    let mut linked: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    let mut undecided_zones: HashSet<usize> = HashSet::new();
    for (e, endpoint) in model.private_endpoints.iter().enumerate() {
        for (c, connection) in endpoint.connections.iter().enumerate() {
            match connection.registry {
                Some(r) => linked.entry(r).or_default().push((e, c)),
                None => {
                    let maybe_registry = matches!(
                        model.resolve_registry(
                            &connection.target,
                            endpoint.resource.unit,
                            endpoint.resource.zone
                        ),
                        RegistryLink::Unresolved
                    ) && !matches!(&connection.target, Reference::Id(id) if !id.to_ascii_lowercase().contains("/registries/"))
                        && connection.groups.as_deref().is_none_or(has_registry_group);
                    if maybe_registry {
                        undecided_zones.insert(endpoint.resource.zone);
                    }
                }
            }
        }
    }
    for (index, registry) in model.registries.iter().enumerate() {
        let mut wrong_group = Vec::new();
        let mut undecided = undecided_zones.contains(&registry.resource.zone);
        for &(e, c) in linked.get(&index).map(Vec::as_slice).unwrap_or(&[]) {
            let endpoint = &model.private_endpoints[e];
            match &endpoint.connections[c].groups {
                // A connection with group `registry` (or unknown groups) settles it.
                Some(groups) if !has_registry_group(groups) => wrong_group.push(format!(
                    "`{}` connects with group{} {}",
                    endpoint.resource.address,
                    if groups.len() == 1 { "" } else { "s" },
                    groups
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => undecided = true,
            }
        }
        if undecided {
            continue;
        }
        let name = registry.label();
        let evidence = if wrong_group.is_empty() {
            "no private endpoint in the scan references it".to_string()
        } else {
            format!("{}, not `registry`", wrong_group.join("; "))
        };
        out.push(RULE.at(
            &registry.resource,
            registry.resource.header,
            format!("Registry `{name}` is not reachable through Private Link: {evidence}"),
            "no private endpoint connects here".to_string(),
            "Add a private endpoint whose connection targets this registry with group `registry` (Terraform: `azurerm_private_endpoint` with `private_service_connection { private_connection_resource_id = <registry>.id, subresource_names = [\"registry\"] }`; ARM: `Microsoft.Network/privateEndpoints` with `privateLinkServiceId` and `groupIds: [\"registry\"]`)".to_string(),
        ));
    }
}
