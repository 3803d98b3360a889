//! Diagnostic settings: where a resource's platform logs go. AKS019 links them to clusters
//! to learn whether the control plane's audit logs are collected anywhere.

use super::field::{Field, State};
use super::fields::DefaultValue;
use super::raw::{Format, RawResource};
use super::reference::{nested_scope, Reference};
use super::Resource;
use crate::source::Loc;
use crate::value::{Kind, Value};

pub const TF_DIAGNOSTIC_SETTING: &str = "azurerm_monitor_diagnostic_setting";
pub const ARM_DIAGNOSTIC_SETTING: &str = "Microsoft.Insights/diagnosticSettings";

/// The AKS log categories that hold the Kubernetes audit log.
pub const AUDIT_CATEGORIES: &[&str] = &["kube-audit", "kube-audit-admin"];
/// The category groups that include them.
pub const AUDIT_GROUPS: &[&str] = &["audit", "allLogs"];

/// `azurerm_monitor_diagnostic_setting`, `Microsoft.Insights/diagnosticSettings`, and the
/// legacy child form `<parent type>/providers/diagnosticSettings`.
pub fn is_diagnostic_setting(kind: &str) -> bool {
    kind == TF_DIAGNOSTIC_SETTING
        || kind.eq_ignore_ascii_case(ARM_DIAGNOSTIC_SETTING)
        || kind
            .to_ascii_lowercase()
            .ends_with("/providers/diagnosticsettings")
}

#[derive(Debug)]
pub struct DiagnosticSetting {
    pub resource: Resource,
    pub name: Option<String>,
    /// The resource the setting is attached to: Terraform `target_resource_id`, ARM
    /// `scope` (or the parent of the legacy child form). Default (no value) when it has
    /// none, as for subscription-level settings.
    pub target: Field<Reference>,
    /// Whether an enabled log category or category group includes the audit log.
    pub audit: Field<bool>,
    /// The enabled categories and groups, as written, for messages.
    pub enabled: Vec<String>,
    /// Filled by linking: the cluster the target names.
    pub cluster: Option<usize>,
}

impl DiagnosticSetting {
    pub fn label(&self) -> &str {
        match self.resource.format {
            Format::Terraform => &self.resource.address,
            _ => self.name.as_deref().unwrap_or(&self.resource.address),
        }
    }
}

/// What an absent `enabled` on a log entry means, from the fields table.
fn default_enabled(arm: bool) -> bool {
    matches!(
        super::fields::DIAGNOSTIC_LOG_ENABLED.default_for(arm, None),
        DefaultValue::Bool(true)
    )
}

fn is_audit_category(name: &str) -> bool {
    AUDIT_CATEGORIES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(name))
}

fn is_audit_group(name: &str) -> bool {
    AUDIT_GROUPS.iter().any(|g| g.eq_ignore_ascii_case(name))
}

pub fn lower_diagnostic_setting(res: &RawResource, unit: usize, zone: usize) -> DiagnosticSetting {
    let terraform = res.format == Format::Terraform;
    let (attribute, entry) = if terraform {
        ("target_resource_id", res.body.entry("target_resource_id"))
    } else {
        ("scope", res.body.entry_ci("scope"))
    };
    let target = match entry {
        Some(entry) if !entry.value.is_null() => {
            let at = entry.key_loc.or(entry.value.loc).unwrap_or(res.header);
            // Bicep `scope: symbol` whose ID cannot be compiled: the resource's `id`.
            let value = match &entry.value.kind {
                Kind::Map(_) => entry.value.get_ci("id").unwrap_or(&entry.value),
                _ => &entry.value,
            };
            let reference = Reference::of(Some(value));
            let unknown = reference == Reference::Unknown && value.has_unknown();
            Field {
                state: if unknown { State::Unknown } else { State::Set },
                value: (!unknown).then_some(reference),
                at,
                origin: None,
                written: None,
                attribute,
                default_source: "",
                unknown_expr: match &value.kind {
                    Kind::Unknown(expr) => Some(expr.clone()),
                    _ if unknown => Some(format!("`{attribute}` ({})", value.type_name())),
                    _ => None,
                },
            }
        }
        _ => {
            // ARM's legacy form names its parent instead of a `scope`.
            let parent = if terraform {
                Reference::Unknown
            } else {
                nested_scope(res)
            };
            Field {
                state: if parent == Reference::Unknown {
                    State::Default
                } else {
                    State::Set
                },
                value: (parent != Reference::Unknown).then_some(parent),
                at: res.header,
                origin: None,
                written: None,
                attribute,
                default_source: "",
                unknown_expr: None,
            }
        }
    };
    let mut logs = Logs::default();
    if terraform {
        for block in res.body.entries("enabled_log") {
            logs.add(block, res.header, None);
        }
        // azurerm 3.x: `log { category, enabled }`, where `enabled` defaults to true.
        for block in res.body.entries("log") {
            logs.add(block, res.header, Some("enabled"));
        }
    } else {
        if let Some(entry) = res
            .body
            .get_ci("properties")
            .and_then(|p| p.entry_ci("logs"))
        {
            match &entry.value.kind {
                Kind::List(items) => {
                    for item in items {
                        logs.add_arm(item, entry.key_loc.unwrap_or(res.header));
                    }
                }
                Kind::Null => {}
                _ => logs.unknown_at(entry.key_loc.unwrap_or(res.header), &entry.value),
            }
        }
    }
    let audit_attribute = if terraform { "enabled_log" } else { "logs" };
    let audit = match (logs.audit, &logs.unknown) {
        (Some(at), _) => Field {
            state: State::Set,
            value: Some(true),
            at,
            origin: None,
            written: None,
            attribute: audit_attribute,
            default_source: "",
            unknown_expr: None,
        },
        (None, Some((at, expr))) => Field {
            state: State::Unknown,
            value: None,
            at: *at,
            origin: None,
            written: None,
            attribute: audit_attribute,
            default_source: "",
            unknown_expr: Some(expr.clone()),
        },
        (None, None) => Field {
            state: if logs.any { State::Set } else { State::Default },
            value: Some(false),
            at: res.header,
            origin: None,
            written: None,
            attribute: audit_attribute,
            default_source: "no log category is collected unless enabled",
            unknown_expr: None,
        },
    };
    DiagnosticSetting {
        resource: Resource::new(res, unit, zone),
        name: res.name.clone(),
        target,
        audit,
        enabled: logs.enabled,
        cluster: None,
    }
}

/// What the log entries of one setting add up to.
#[derive(Default)]
struct Logs {
    /// Where an enabled audit category or group is written.
    audit: Option<Loc>,
    /// An entry that might enable one, but cannot be read offline.
    unknown: Option<(Loc, String)>,
    enabled: Vec<String>,
    /// Any log entry at all.
    any: bool,
}

impl Logs {
    fn unknown_at(&mut self, at: Loc, value: &Value) {
        if self.unknown.is_none() {
            let expr = match &value.kind {
                Kind::Unknown(expr) => expr.clone(),
                _ => format!("a {}", value.type_name()),
            };
            self.unknown = Some((value.loc.unwrap_or(at), expr));
        }
    }

    /// One entry: its category or group, and whether it is enabled (`None`: unknown).
    fn entry(
        &mut self,
        at: Loc,
        category: Option<&Value>,
        group: Option<&Value>,
        on: Option<bool>,
    ) {
        self.any = true;
        if on == Some(false) {
            return;
        }
        for (value, audit) in [
            (category, is_audit_category as fn(&str) -> bool),
            (group, is_audit_group),
        ] {
            let Some(value) = value.filter(|v| !v.is_null()) else {
                continue;
            };
            match value.as_str() {
                Some(name) if audit(name) => match on {
                    Some(true) => {
                        self.audit.get_or_insert(value.loc.unwrap_or(at));
                    }
                    _ => self.unknown_at(at, &Value::unknown("enabled", value.loc)),
                },
                Some(name) => {
                    if on == Some(true) {
                        self.enabled.push(name.to_string());
                    }
                }
                None => self.unknown_at(at, value),
            }
        }
    }

    fn add(&mut self, block: &crate::value::Entry, fallback: Loc, enabled: Option<&str>) {
        let at = block.key_loc.or(block.value.loc).unwrap_or(fallback);
        if block.value.is_unknown() {
            // A `dynamic` block over a collection that is not known offline.
            self.any = true;
            self.unknown_at(at, &block.value);
            return;
        }
        let on = match enabled.map(|key| block.value.get(key)) {
            None | Some(None) => Some(default_enabled(false)),
            Some(Some(v)) if v.is_null() => Some(default_enabled(false)),
            Some(Some(v)) => v.as_bool(),
        };
        self.entry(
            at,
            block.value.get("category"),
            block.value.get("category_group"),
            on,
        );
    }

    fn add_arm(&mut self, item: &Value, fallback: Loc) {
        let at = item.loc.unwrap_or(fallback);
        if item.is_unknown() {
            self.any = true;
            self.unknown_at(at, item);
            return;
        }
        // The API requires `enabled`; an entry without it is not a collected category.
        let on = match item.get_ci("enabled") {
            None => Some(default_enabled(true)),
            Some(v) if v.is_null() => Some(default_enabled(true)),
            Some(v) => v.as_bool(),
        };
        self.entry(
            at,
            item.get_ci("category"),
            item.get_ci("categoryGroup"),
            on,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terraform(body: &str) -> DiagnosticSetting {
        let text = format!(
            "resource \"azurerm_monitor_diagnostic_setting\" \"d\" {{\n  target_resource_id = azurerm_kubernetes_cluster.aks.id\n{body}}}\n"
        );
        let crate::terraform::Loaded {
            resources, errors, ..
        } = crate::terraform::load_main(&text);
        assert!(errors.is_empty());
        lower_diagnostic_setting(&resources[0], 0, 0)
    }

    fn arm(logs: &str) -> DiagnosticSetting {
        let text = format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [{{"type": "Microsoft.Insights/diagnosticSettings", "apiVersion": "2021-05-01-preview",
    "name": "d", "scope": "Microsoft.ContainerService/managedClusters/aks",
    "properties": {{"logs": {logs}}}}}]}}"#
        );
        let resources = crate::arm::load_template(0, &text, None).unwrap();
        lower_diagnostic_setting(&resources[0], 0, 0)
    }

    #[test]
    fn terraform_log_entries() {
        let v3 = terraform("  log {\n    category = \"kube-audit\"\n  }\n");
        assert_eq!((v3.audit.state, v3.audit.value), (State::Set, Some(true)));
        assert_eq!(
            v3.target.value,
            Some(Reference::Address("azurerm_kubernetes_cluster.aks".into()))
        );
        let off = terraform("  log {\n    category = \"kube-audit\"\n    enabled  = false\n  }\n");
        assert_eq!(off.audit.value, Some(false));
        let group = terraform("  enabled_log {\n    category_group = \"allLogs\"\n  }\n");
        assert_eq!(group.audit.value, Some(true));
        let other = terraform("  enabled_log {\n    category = \"guard\"\n  }\n");
        assert_eq!(
            (other.audit.state, other.audit.value),
            (State::Set, Some(false))
        );
        assert_eq!(other.enabled, ["guard"]);
        let none = terraform("");
        assert_eq!(
            (none.audit.state, none.audit.value),
            (State::Default, Some(false))
        );
        let unknown = terraform("  enabled_log {\n    category = var.category\n  }\n");
        assert_eq!(unknown.audit.state, State::Unknown);
    }

    #[test]
    fn arm_log_entries() {
        let on = arm(r#"[{"categoryGroup": "audit", "enabled": true}]"#);
        assert_eq!(on.audit.value, Some(true));
        assert_eq!(
            on.target.value,
            Some(Reference::Id(
                "/providers/Microsoft.ContainerService/managedClusters/aks".into()
            ))
        );
        // `enabled` is required by the API: without it nothing is collected.
        let bare = arm(r#"[{"category": "kube-audit-admin"}]"#);
        assert_eq!(
            (bare.audit.state, bare.audit.value),
            (State::Set, Some(false))
        );
        let off = arm(r#"[{"category": "kube-audit", "enabled": false}]"#);
        assert_eq!(off.audit.value, Some(false));
        let unknown = arm(r#"[{"category": "kube-audit", "enabled": "[reference('x').on]"}]"#);
        assert_eq!(unknown.audit.state, State::Unknown);
    }
}
