use super::*;

fn plan(text: &str) -> Plan {
    parse(0, text).unwrap_or_else(|e| panic!("{}", e.message))
}

fn resource<'p>(plan: &'p Plan, address: &str) -> &'p PlanResource {
    plan.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no {address}"))
}

const REGISTRY_AND_ENDPOINT: &str = r#"{"format_version": "1.2", "terraform_version": "1.7.5",
  "resource_changes": [
    {"address": "module.net[\"a\"].azurerm_private_endpoint.pe", "module_address": "module.net[\"a\"]",
     "mode": "managed", "type": "azurerm_private_endpoint", "name": "pe",
     "change": {"actions": ["create"],
       "after": {"name": "pe", "private_service_connection": [{"subresource_names": ["registry"]}], "tags": null},
       "after_unknown": {"id": true, "private_service_connection": [{"private_connection_resource_id": true}]},
       "after_sensitive": {}}},
    {"address": "azurerm_container_registry.acr", "mode": "managed", "type": "azurerm_container_registry", "name": "acr",
     "change": {"actions": ["delete", "create"],
       "after": {"name": "acr1", "admin_enabled": true, "admin_password": "p4ssw0rd-long"},
       "after_unknown": {"id": true}, "after_sensitive": {"admin_password": true, "admin_enabled": true}}},
    {"address": "azurerm_container_registry.gone", "mode": "managed", "type": "azurerm_container_registry", "name": "gone",
     "change": {"actions": ["delete"], "before": {"name": "gone"}, "after": null, "after_unknown": {}, "after_sensitive": false}},
    {"address": "azurerm_virtual_network.vnet", "mode": "managed", "type": "azurerm_virtual_network", "name": "vnet",
     "change": {"actions": ["create"], "after": {"name": "vnet", "address_space": ["10.0.0.0/16"]}, "after_unknown": {"id": true}}}
  ],
  "configuration": {"root_module": {
    "module_calls": {"net": {"source": "./net",
      "expressions": {"registry_id": {"references": ["module.registry.id", "module.registry"]}},
      "module": {"resources": [{"address": "azurerm_private_endpoint.pe",
        "expressions": {"private_service_connection": [{"private_connection_resource_id": {"references": ["var.registry_id"]}}]}}]}},
      "registry": {"source": "./registry", "module": {"outputs": {"id": {"expression": {"references": ["azurerm_container_registry.this.id", "azurerm_container_registry.this"]}}}}}}
  }}}"#;

#[test]
fn plans_are_told_from_other_json_by_their_first_bytes() {
    assert!(looks_like_plan(
        "{\n  \"format_version\": \"1.2\",\n  \"terraform_version\": \"1.7.5\", \"planned_values\": {}}"
    ));
    assert!(!looks_like_plan(
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"}"#
    ));
    assert!(!looks_like_plan(
        r#"{"terraform_version": "1.7.5", "format_version": "1.2"}"#
    ));
    assert!(!looks_like_plan(
        r#"{"format_version": "1.0", "provider_schemas": {}}"#
    ));
}

#[test]
fn delete_only_changes_are_left_out_and_replacements_kept() {
    let plan = plan(REGISTRY_AND_ENDPOINT);
    assert_eq!(plan.document, Document::Plan);
    let addresses: Vec<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "module.net[\"a\"].azurerm_private_endpoint.pe",
            "azurerm_container_registry.acr",
            "azurerm_virtual_network.vnet"
        ]
    );
    // Types the model does not read are counted, not converted.
    assert!(resource(&plan, "azurerm_virtual_network.vnet")
        .body
        .is_null());
}

#[test]
fn unknown_ids_name_their_resource_through_module_variables_and_outputs() {
    let plan = plan(REGISTRY_AND_ENDPOINT);
    let pe = resource(&plan, "module.net[\"a\"].azurerm_private_endpoint.pe");
    let connection = pe.body.get("private_service_connection").unwrap();
    let id = connection.get("private_connection_resource_id").unwrap();
    assert!(id.is_unknown());
    assert_eq!(
        crate::terraform::eval::id_address(id),
        Some("module.registry.azurerm_container_registry.this")
    );
    // A nested block is one entry per block, as the adapters write blocks.
    assert_eq!(
        connection
            .get("subresource_names")
            .and_then(Value::as_list)
            .map(<[Value]>::len),
        Some(1)
    );
    // The unknown `id` has no expression: "known after apply".
    assert_eq!(
        pe.body.get("id").map(|v| &v.kind),
        Some(&Kind::Unknown(KNOWN_AFTER_APPLY.to_string()))
    );
}

#[test]
fn sensitive_values_are_masked_or_unknown_never_kept_for_printing() {
    let plan = plan(REGISTRY_AND_ENDPOINT);
    let acr = resource(&plan, "azurerm_container_registry.acr");
    // A long string stays known (rules may need it) and is masked in every message.
    assert_eq!(
        acr.body.get("admin_password").and_then(Value::as_str),
        Some("p4ssw0rd-long")
    );
    assert_eq!(plan.sensitive, vec!["p4ssw0rd-long".to_string()]);
    // A boolean cannot be masked in text: unknown.
    assert!(acr.body.get("admin_enabled").unwrap().is_unknown());
    assert_eq!(
        mask("value p4ssw0rd-long here", &plan.sensitive).as_deref(),
        Some("value (sensitive value) here")
    );
    assert_eq!(mask("nothing", &plan.sensitive), None);
}

#[test]
fn values_point_into_the_plan() {
    let plan = plan(REGISTRY_AND_ENDPOINT);
    let acr = resource(&plan, "azurerm_container_registry.acr");
    let name = acr.body.entry("name").unwrap().key_loc.unwrap();
    assert_eq!(
        &REGISTRY_AND_ENDPOINT[name.start as usize..name.end as usize],
        r#""name": "acr1""#
    );
    assert_eq!(
        &REGISTRY_AND_ENDPOINT[acr.header.start as usize..acr.header.end as usize],
        r#""azurerm_container_registry.acr""#
    );
}

#[test]
fn a_state_is_read_from_its_values() {
    let plan = plan(
        r#"{"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {
          "resources": [{"address": "azurerm_container_registry.acr", "mode": "managed", "type": "azurerm_container_registry",
            "name": "acr", "values": {"name": "acr1", "admin_enabled": true}, "sensitive_values": {}}],
          "child_modules": [{"address": "module.m", "resources": [{"address": "module.m.data.azurerm_container_registry.d",
            "mode": "data", "type": "azurerm_container_registry", "name": "d", "values": {"name": "shared"}}]}]}}}"#,
    );
    assert_eq!(plan.document, Document::State);
    assert_eq!(
        resource(&plan, "azurerm_container_registry.acr")
            .body
            .get("admin_enabled")
            .and_then(Value::as_bool),
        Some(true)
    );
    let data = resource(&plan, "module.m.data.azurerm_container_registry.d");
    assert_eq!(data.kind, "data.azurerm_container_registry");
    assert_eq!(data.module, "module.m");
}

#[test]
fn broken_or_unsupported_plans_are_errors_with_a_place() {
    let text =
        "{\"format_version\": \"1.2\", \"terraform_version\": \"1\",\n \"resource_changes\": [}";
    let error = parse(0, text).err().unwrap();
    assert_eq!(error.loc.start as usize, text.find('}').unwrap());
    assert!(
        error.message.starts_with("invalid plan JSON"),
        "{}",
        error.message
    );
    let error = parse(
        0,
        r#"{"format_version": "2.0", "terraform_version": "9", "values": {}}"#,
    )
    .err()
    .unwrap();
    assert!(error.message.contains("`2.0`"), "{}", error.message);
    // Nesting deeper than serde_json follows is an error, not a stack overflow.
    let deep = format!(
        "{{\"format_version\": \"1.2\", \"terraform_version\": \"1\", \"variables\": {{\"v\": {{\"value\": {}{}}}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse(0, &deep).is_err());
}

#[test]
fn references_name_the_resource_and_attribute_they_read() {
    assert_eq!(
        resource_attribute("azurerm_kubernetes_cluster.aks[\"a.b\"].kubelet_identity[0].object_id"),
        Some((
            "azurerm_kubernetes_cluster",
            "azurerm_kubernetes_cluster.aks[\"a.b\"]",
            "kubelet_identity"
        ))
    );
    assert_eq!(
        resource_attribute("data.azurerm_container_registry.shared.id"),
        Some((
            "data.azurerm_container_registry",
            "data.azurerm_container_registry.shared",
            "id"
        ))
    );
    assert_eq!(resource_attribute("azurerm_container_registry.acr"), None);
    assert_eq!(resource_attribute("var.registry_id"), None);
    assert_eq!(resource_attribute("module.acr.id"), None);
}

#[test]
fn a_plan_of_too_many_resources_is_checked_up_to_a_bound_and_says_so() {
    let change = |i: usize| {
        format!(
            "{{\"address\": \"azurerm_kubernetes_cluster.c[{i}]\", \"mode\": \"managed\", \"type\": \"azurerm_kubernetes_cluster\", \"name\": \"c\", \"change\": {{\"actions\": [\"create\"], \"after\": {{}}}}}}"
        )
    };
    let changes: Vec<String> = (0..MAX_CHECKED + 5).map(change).collect();
    let text = format!(
        "{{\"format_version\": \"1.2\", \"terraform_version\": \"1\", \"resource_changes\": [{}]}}",
        changes.join(",")
    );
    let plan = plan(&text);
    assert_eq!(plan.resources.len(), MAX_CHECKED);
    assert_eq!(plan.errors.len(), 1);
    assert!(plan.errors[0]
        .message
        .starts_with("5 resources of this plan were not checked"));
}
