//! Container registries, and Terraform data sources that name one.

use super::field::{Field, Reader};
use super::fields as f;
use super::raw::{Format, RawResource};
use super::reference::GroupRef;
use super::Resource;
use crate::value::Kind;

pub const TF_REGISTRY: &str = "azurerm_container_registry";
pub const TF_REGISTRY_DATA: &str = "data.azurerm_container_registry";
pub const ARM_REGISTRY: &str = "Microsoft.ContainerRegistry/registries";

#[derive(Debug)]
pub struct Registry {
    pub resource: Resource,
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
        if self.resource.format == Format::Terraform {
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
                Kind::String(s) => Some(GroupRef::Name(s.to_ascii_lowercase())),
                _ => super::reference::terraform_address(v, "name")
                    .map(|a| GroupRef::Address(a.to_string())),
            })
    };
    Registry {
        resource: Resource::new(res, unit, zone),
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

/// A Terraform `data "azurerm_container_registry"`: a registry referenced by name.
#[derive(Debug)]
pub struct RegistryData {
    pub address: String,
    pub unit: usize,
    pub name: Option<String>,
    /// The provider configuration it reads through: `azurerm` or `azurerm.<alias>`.
    pub provider: String,
}
