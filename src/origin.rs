//! How a value reached the attribute that uses it ([`Origin`]), filled by the adapters
//! as they evaluate. Reports show it as text ("value from variable `x` default"); fixes
//! decide from it whether changing the value where it is written is safe.

use std::fmt;

/// How a value travelled from where it is written to where it is used. A literal written
/// at its use has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Terraform: `variable "name" { default = ... }`.
    VariableDefault { name: String },
    /// ARM `"defaultValue"` or Bicep `param name type = ...`.
    ParameterDefault { name: String },
    /// Terraform: `name = ...` in a `.tfvars` or `.tfvars.json` file (`file`, display path).
    AssignedInVariableFile { name: String, file: String },
    /// ARM parameters file (`"name": { "value": ... }`) or `.bicepparam` (`param name = ...`).
    AssignedInParameterFile { name: String, file: String },
    /// ARM parameters file: a Key Vault secret only the deployment can read.
    KeyVaultInParameterFile { name: String, file: String },
    /// Terraform: `--var name=...`.
    CommandLine { name: String },
    /// Terraform: `module "module" { name = ... }`, written at the call.
    ModuleArgument { name: String, module: String },
    /// Bicep: `module module '...' = { params: { name: ... } }`, written at the call.
    ModuleParameter { name: String, module: String },
    /// ARM: a nested deployment's `"parameters": { "name": { "value": ... } }`.
    DeploymentParameter { name: String, deployment: String },
    /// ARM: a nested deployment's Key Vault reference parameter.
    KeyVaultOfDeployment { name: String, deployment: String },
    /// ARM: a nullable parameter nobody passes (null).
    NotPassed { name: String },
    /// Terraform: `locals { name = ... }`.
    Local { name: String },
    /// ARM `variables('name')` or Bicep `var name = ...`.
    Variable { name: String },
    /// Bicep: `module.outputs.name`.
    ModuleOutput { name: String, module: String },
    /// Bicep: the symbolic name of a module (its deployment name and outputs).
    Module { module: String },
    /// ARM: `reference(<deployment>).outputs.name`.
    DeploymentOutput { name: String, deployment: String },
    /// Bicep: the symbolic name of a resource (its `id`, `name`, `type`).
    Resource { symbol: String },
    /// A Terraform plan (`terraform show -json`) knows the value the configuration left
    /// unknown offline; `variable` when it is a root variable's planned value (`-var`,
    /// `TF_VAR_*`).
    Plan { variable: Option<String> },
}

impl Origin {
    /// Written at a module or nested deployment call for that one call, as opposed to a
    /// default, a file of values or a local every reader shares: changing it there changes
    /// only what the call deploys.
    pub fn is_call_argument(&self) -> bool {
        matches!(
            self,
            Origin::ModuleArgument { .. }
                | Origin::ModuleParameter { .. }
                | Origin::DeploymentParameter { .. }
        )
    }
}

impl fmt::Display for Origin {
    /// The words reports use after "value from" (and fix titles after "Set the").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::VariableDefault { name } => write!(f, "variable `{name}` default"),
            Origin::ParameterDefault { name } => write!(f, "parameter `{name}` default"),
            Origin::AssignedInVariableFile { name, file } => write!(f, "`{name}` in {file}"),
            Origin::AssignedInParameterFile { name, file } => {
                write!(f, "parameter `{name}` in {file}")
            }
            Origin::KeyVaultInParameterFile { name, file } => {
                write!(f, "parameter `{name}` (Key Vault reference) in {file}")
            }
            Origin::CommandLine { name } => write!(f, "`--var {name}`"),
            Origin::ModuleArgument { name, module } => {
                write!(f, "argument `{name}` of module `{module}`")
            }
            Origin::ModuleParameter { name, module } => {
                write!(f, "parameter `{name}` passed by module `{module}`")
            }
            Origin::DeploymentParameter { name, deployment } => {
                write!(f, "parameter `{name}` passed by deployment `{deployment}`")
            }
            Origin::KeyVaultOfDeployment { name, deployment } => write!(
                f,
                "parameter `{name}` (Key Vault reference) of deployment `{deployment}`"
            ),
            Origin::NotPassed { name } => write!(f, "parameter `{name}` not passed (nullable)"),
            Origin::Local { name } => write!(f, "local `{name}`"),
            Origin::Variable { name } => write!(f, "variable `{name}`"),
            Origin::ModuleOutput { name, module } => {
                write!(f, "output `{name}` of module `{module}`")
            }
            Origin::Module { module } => write!(f, "module `{module}`"),
            Origin::DeploymentOutput { name, deployment } => {
                write!(f, "output `{name}` of deployment `{deployment}`")
            }
            Origin::Resource { symbol } => write!(f, "resource `{symbol}`"),
            Origin::Plan { variable: None } => write!(f, "the plan"),
            Origin::Plan {
                variable: Some(name),
            } => write!(f, "the plan (variable `{name}`)"),
        }
    }
}

/// What an unknown value stands for, when the adapter knows it: links between resources
/// (a private endpoint to its registry, a node pool or diagnostic setting to its cluster,
/// an AcrPull assignment to a kubelet identity) follow it through variables, locals and
/// module arguments instead of reading expression text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Referent {
    /// A Terraform resource or data source attribute. `resource_type` is as written
    /// (`azurerm_kubernetes_cluster`, `data.azurerm_container_registry`); `address` is the
    /// full address (module path and instance key included), None when the instance key is
    /// not known offline; `attribute` is the attribute read from it (`id`, `name`,
    /// `kubelet_identity`).
    Terraform {
        resource_type: String,
        address: Option<String>,
        attribute: String,
    },
    /// ARM `reference(<id>)`, Bicep `symbol.properties...`: what the deployment returns for
    /// the resource `id` (as the template builds it), read at `path` (`identityProfile.
    /// kubeletidentity.objectId`; empty for the whole object).
    Deployed { id: String, path: String },
}

impl Referent {
    /// A Terraform resource's `id`: unknown offline, but never null once applied.
    pub fn terraform_id(resource_type: &str, address: Option<String>) -> Referent {
        Referent::Terraform {
            resource_type: resource_type.to_string(),
            address,
            attribute: "id".to_string(),
        }
    }

    /// What the deployment returns for a resource, read at `path`.
    pub fn deployed(id: &str, path: &str) -> Referent {
        Referent::Deployed {
            id: id.to_string(),
            path: path.to_string(),
        }
    }

    /// The referent of a member `key` of what this one stands for: deeper into what the
    /// deployment returns (None for Terraform, whose referent is the resource attribute).
    pub fn member(&self, key: &str) -> Option<Referent> {
        match self {
            Referent::Deployed { id, path } if path.is_empty() => Some(Referent::deployed(id, key)),
            Referent::Deployed { id, path } => {
                Some(Referent::deployed(id, &format!("{path}.{key}")))
            }
            Referent::Terraform { .. } => None,
        }
    }

    /// The full address of the Terraform resource whose `attribute` this is.
    pub fn terraform_address(&self, attribute: &str) -> Option<&str> {
        match self {
            Referent::Terraform {
                address: Some(address),
                attribute: read,
                ..
            } if read == attribute => Some(address),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Origin;

    fn s(text: &str) -> String {
        text.to_string()
    }

    /// The words reports have always shown: renaming a variant must not change them.
    #[test]
    fn every_origin_renders_as_reports_have_always_shown_it() {
        let cases = [
            (
                Origin::VariableDefault { name: s("private") },
                "variable `private` default",
            ),
            (
                Origin::ParameterDefault { name: s("rbac") },
                "parameter `rbac` default",
            ),
            (
                Origin::AssignedInVariableFile {
                    name: s("x"),
                    file: s("env/prod.tfvars"),
                },
                "`x` in env/prod.tfvars",
            ),
            (
                Origin::AssignedInParameterFile {
                    name: s("x"),
                    file: s("main.parameters.json"),
                },
                "parameter `x` in main.parameters.json",
            ),
            (
                Origin::KeyVaultInParameterFile {
                    name: s("x"),
                    file: s("p.json"),
                },
                "parameter `x` (Key Vault reference) in p.json",
            ),
            (Origin::CommandLine { name: s("x") }, "`--var x`"),
            (
                Origin::ModuleArgument {
                    name: s("x"),
                    module: s("aks"),
                },
                "argument `x` of module `aks`",
            ),
            (
                Origin::ModuleParameter {
                    name: s("x"),
                    module: s("aks"),
                },
                "parameter `x` passed by module `aks`",
            ),
            (
                Origin::DeploymentParameter {
                    name: s("x"),
                    deployment: s("d"),
                },
                "parameter `x` passed by deployment `d`",
            ),
            (
                Origin::KeyVaultOfDeployment {
                    name: s("x"),
                    deployment: s("d"),
                },
                "parameter `x` (Key Vault reference) of deployment `d`",
            ),
            (
                Origin::NotPassed { name: s("x") },
                "parameter `x` not passed (nullable)",
            ),
            (Origin::Local { name: s("x") }, "local `x`"),
            (Origin::Variable { name: s("x") }, "variable `x`"),
            (
                Origin::ModuleOutput {
                    name: s("id"),
                    module: s("acr"),
                },
                "output `id` of module `acr`",
            ),
            (Origin::Module { module: s("acr") }, "module `acr`"),
            (
                Origin::DeploymentOutput {
                    name: s("id"),
                    deployment: s("d"),
                },
                "output `id` of deployment `d`",
            ),
            (Origin::Resource { symbol: s("acr") }, "resource `acr`"),
        ];
        for (origin, text) in cases {
            assert_eq!(origin.to_string(), text);
        }
    }

    #[test]
    fn only_values_written_at_a_call_are_call_arguments() {
        assert!(Origin::ModuleArgument {
            name: s("x"),
            module: s("m")
        }
        .is_call_argument());
        assert!(Origin::ModuleParameter {
            name: s("x"),
            module: s("m")
        }
        .is_call_argument());
        assert!(!Origin::VariableDefault { name: s("x") }.is_call_argument());
        assert!(!Origin::ParameterDefault { name: s("x") }.is_call_argument());
        assert!(!Origin::Local { name: s("x") }.is_call_argument());
        assert!(!Origin::AssignedInParameterFile {
            name: s("x"),
            file: s("f")
        }
        .is_call_argument());
    }
}
