//! Private endpoints and the resources their connections reach.

use super::raw::{Format, RawResource};
use super::reference::Reference;
use super::Resource;
use crate::source::Loc;
use crate::value::Value;

pub const TF_PRIVATE_ENDPOINT: &str = "azurerm_private_endpoint";

pub const ARM_PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";

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
    pub resource: Resource,
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
        resource: Resource::new(res, unit, zone),
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
