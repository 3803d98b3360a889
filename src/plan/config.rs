//! The `configuration` section of a plan: each module's resource blocks and module calls
//! with their expressions as written, reduced to what linking needs: the `references` an
//! expression makes (`azurerm_container_registry.acr.id`, `var.registry_id`), relative to
//! its module, and the variables a module declares.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default, Debug)]
pub struct Configuration {
    #[serde(default)]
    pub provider_config: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub root_module: ConfigModule,
}

#[derive(Deserialize, Default, Debug)]
pub struct ProviderConfig {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub version_constraint: Option<String>,
    /// Set for a provider configured inside a module.
    #[serde(default)]
    pub module_address: Option<String>,
    #[serde(default)]
    pub expressions: serde_json::Value,
}

#[derive(Deserialize, Default, Debug)]
pub struct ConfigModule {
    #[serde(default)]
    pub resources: Vec<ConfigResource>,
    #[serde(default)]
    pub module_calls: BTreeMap<String, ModuleCall>,
    #[serde(default)]
    pub variables: BTreeMap<String, ConfigVariable>,
    #[serde(default)]
    pub outputs: BTreeMap<String, ConfigOutput>,
}

#[derive(Deserialize, Default, Debug)]
pub struct ConfigOutput {
    #[serde(default)]
    pub expression: serde_json::Value,
}

#[derive(Deserialize, Default, Debug)]
pub struct ConfigResource {
    /// Relative to the module: `azurerm_container_registry.acr`, `data.x.y`.
    pub address: String,
    #[serde(default)]
    pub provider_config_key: Option<String>,
    /// Attribute name -> expression; a nested block -> a list of such maps.
    #[serde(default)]
    pub expressions: serde_json::Value,
}

#[derive(Deserialize, Default, Debug)]
pub struct ModuleCall {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub version_constraint: Option<String>,
    /// Argument name -> expression, as written at the call site.
    #[serde(default)]
    pub expressions: serde_json::Value,
    #[serde(default)]
    pub module: ConfigModule,
}

#[derive(Deserialize, Default, Debug)]
pub struct ConfigVariable {
    /// Absent (and `null`) when the variable has no default.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub sensitive: bool,
}

/// One step of a path into a resource's values: an attribute or block name, or an index.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl ConfigModule {
    /// The module a module instance address (`module.aks["a"].module.pool[0]`) runs, by its
    /// call names.
    pub fn at(&self, module_address: &str) -> Option<&ConfigModule> {
        let mut module = self;
        for (name, _) in module_segments(module_address) {
            module = &module.module_calls.get(name)?.module;
        }
        Some(module)
    }

    pub fn resource(&self, address: &str) -> Option<&ConfigResource> {
        self.resources.iter().find(|r| r.address == address)
    }
}

/// The references of the expression at `path` in a resource's (or a module call's)
/// expressions: the attribute's own, or those of the attribute that holds the path (a map
/// attribute's key is written inside the attribute's expression).
pub fn references_at(expressions: &serde_json::Value, path: &[Step]) -> Option<Vec<String>> {
    let mut current = expressions;
    for step in path {
        current = match (current, step) {
            (serde_json::Value::Object(map), Step::Key(key)) => map.get(key)?,
            (serde_json::Value::Array(items), Step::Index(i)) => items.get(*i)?,
            _ => return None,
        };
        if let Some(expression) = as_expression(current) {
            return Some(expression);
        }
    }
    as_expression(current)
}

/// `{"references": [...]}` or `{"constant_value": ...}` (no references): an expression.
fn as_expression(value: &serde_json::Value) -> Option<Vec<String>> {
    let map = value.as_object()?;
    if let Some(references) = map.get("references").and_then(|r| r.as_array()) {
        return Some(
            references
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
        );
    }
    map.contains_key("constant_value").then(Vec::new)
}

/// The call names of a module instance address with the address up to each:
/// `module.a["x.y"].module.b` -> [("a", `module.a["x.y"]`), ("b", `module.a["x.y"].module.b`)].
pub fn module_segments(address: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rest) = address.get(at..).and_then(|r| r.strip_prefix("module.")) {
        let name_start = at + "module.".len();
        let name_len = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &address[name_start..name_start + name_len];
        let mut end = name_start + name_len;
        if address[end..].starts_with('[') {
            end = match instance_key_end(address, end) {
                Some(e) => e,
                None => return out,
            };
        }
        out.push((name, &address[..end]));
        at = end;
        if address[at..].starts_with('.') {
            at += 1;
        } else {
            break;
        }
    }
    out
}

/// The end (after `]`) of an instance key starting at `start` (`[0]`, `["a.b]"]`).
pub fn instance_key_end(address: &str, start: usize) -> Option<usize> {
    let bytes = address.as_bytes();
    let mut i = start + 1;
    let mut quoted = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b']' if !quoted => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The address without instance keys: `module.a["x"].t.n[0]` -> `module.a.t.n`.
pub fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut i = 0;
    while i < address.len() {
        if address.as_bytes()[i] == b'[' {
            match instance_key_end(address, i) {
                Some(end) => i = end,
                None => break,
            }
        } else {
            let next = address[i..].find('[').map_or(address.len(), |n| i + n);
            out.push_str(&address[i..next]);
            i = next;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_addresses_split_at_calls_whatever_their_keys_hold() {
        assert_eq!(
            module_segments(r#"module.a["x.y]"].module.b[0]"#),
            vec![
                ("a", r#"module.a["x.y]"]"#),
                ("b", r#"module.a["x.y]"].module.b[0]"#)
            ]
        );
        assert!(module_segments("").is_empty());
        assert_eq!(
            without_keys(r#"module.a["x.y]"].t.n[0]"#),
            "module.a.t.n".to_string()
        );
    }

    #[test]
    fn references_of_attributes_blocks_and_map_keys() {
        let expressions: serde_json::Value = serde_json::from_str(
            r#"{"name": {"constant_value": "x"},
                "tags": {"references": ["var.tags"]},
                "private_service_connection": [
                    {"private_connection_resource_id": {"references": ["azurerm_container_registry.acr.id", "azurerm_container_registry.acr"]}}
                ]}"#,
        )
        .unwrap();
        let key = |k: &str| Step::Key(k.to_string());
        assert_eq!(references_at(&expressions, &[key("name")]), Some(vec![]));
        assert_eq!(
            references_at(&expressions, &[key("tags"), key("env")]),
            Some(vec!["var.tags".to_string()])
        );
        assert_eq!(
            references_at(
                &expressions,
                &[
                    key("private_service_connection"),
                    Step::Index(0),
                    key("private_connection_resource_id")
                ]
            )
            .unwrap()[0],
            "azurerm_container_registry.acr.id"
        );
        assert_eq!(references_at(&expressions, &[key("missing")]), None);
    }
}
