//! What a format adapter hands to the model: one evaluated resource declaration.

use crate::source::{FileId, Loc};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Terraform,
    Arm,
    Bicep,
    Kubernetes,
}

#[derive(Clone, Debug)]
pub struct RawResource {
    pub format: Format,
    /// Terraform resource type (`azurerm_kubernetes_cluster`) or full ARM type
    /// (`Microsoft.ContainerService/managedClusters/agentPools`).
    pub kind: String,
    /// Terraform `type.name` (with `["key"]`/`[0]` for instances, `module.m.` prefix), ARM
    /// `<type>/<evaluated name>` (`<type>/?` when the name is unknown).
    pub address: String,
    pub file: FileId,
    /// Where a finding about an absent attribute is anchored: the Terraform block header,
    /// the ARM resource object's `type` property.
    pub header: Loc,
    /// Terraform: the block body (attributes and nested blocks as entries, repeated blocks
    /// repeat the key). ARM: the whole resource object, expressions evaluated.
    /// `Model::build` releases it (Null afterwards): a later stage reads what it needs of it
    /// before the model is built.
    pub body: Value,
    /// Evaluated resource name (ARM `name`, Terraform `name` attribute) when known.
    pub name: Option<String>,
    /// How messages name the resource when `name` is not known offline: the Bicep symbolic
    /// name, the ARM `name` expression as written. None in Terraform and Kubernetes, whose
    /// addresses are written names already.
    pub written_name: Option<String>,
    /// azurerm provider major version of the Terraform root (None: newest).
    pub provider_major: Option<u8>,
    /// ARM template compiled by Bicep (`metadata._generator.name == "bicep"`).
    pub compiled_by_bicep: bool,
    /// ARM `existing` resources are references, not declarations.
    pub existing: bool,
    /// Where the declaration really comes from: the helm template (`# Source:`) of a
    /// rendered manifest.
    pub source: Option<String>,
}
