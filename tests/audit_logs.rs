//! AKS019 end to end: diagnostic settings are linked to their clusters across the files of
//! a Terraform root, through a module variable, inside an ARM nested deployment and from a
//! Bicep module that receives the cluster's name; an unknown target keeps the rule quiet.
//! Each fixture has a cluster whose audit log is collected (never reported) and, except the
//! unknown-target one, one whose audit log is not. Each marks where its findings are
//! reported (tests/markers.rs); the notes' places are found by their text.

mod common;

use common::{check, first_of, locate, locate_after, named, unplaced, Named};
use serde_json::Value;
use std::collections::BTreeSet;

fn aks019(json: &Value) -> BTreeSet<Named> {
    unplaced(json, |f| f["rule"] == "AKS019")
}

#[test]
fn a_terraform_setting_in_another_file_of_the_root_counts() {
    let (code, json) = check(&["testdata/audit_logs/tf_other_file", "--select", "AKS019"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        aks019(&json),
        BTreeSet::from([named(
            "AKS019",
            "testdata/audit_logs/tf_other_file/main.tf",
            "azurerm_kubernetes_cluster.silent"
        )])
    );
    let message = first_of(&json, "AKS019")["message"].as_str().unwrap();
    assert!(
        message.contains("no diagnostic setting in the scan targets it"),
        "{message}"
    );
}

#[test]
fn a_setting_with_only_kube_apiserver_is_named_in_a_note() {
    let (code, json) = check(&[
        "testdata/audit_logs/tf_apiserver_only",
        "--select",
        "AKS019",
    ]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        aks019(&json),
        BTreeSet::from([named(
            "AKS019",
            "testdata/audit_logs/tf_apiserver_only/main.tf",
            "azurerm_kubernetes_cluster.aks"
        )])
    );
    let finding = first_of(&json, "AKS019");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("`azurerm_monitor_diagnostic_setting.aks` collects only `kube-apiserver`"),
        "{message}"
    );
    let note = &finding["related"][0];
    let diagnostics = "testdata/audit_logs/tf_apiserver_only/diagnostics.tf";
    assert_eq!(note["path"], diagnostics);
    let (line, column) = locate(
        diagnostics,
        "resource \"azurerm_monitor_diagnostic_setting\" \"aks\"",
    );
    assert_eq!(
        (note["line"].as_u64(), note["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert!(finding.get("fix").is_none_or(Value::is_null), "{finding}");
    let help = finding["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("enabled_log { category = \"kube-audit-admin\" }"),
        "{help}"
    );
}

#[test]
fn all_logs_through_a_module_variable_counts() {
    let (code, json) = check(&["testdata/audit_logs/tf_module", "--select", "AKS019"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        aks019(&json),
        BTreeSet::from([named(
            "AKS019",
            "testdata/audit_logs/tf_module/main.tf",
            "azurerm_kubernetes_cluster.silent"
        )])
    );
}

#[test]
fn an_arm_setting_in_a_nested_deployment_counts_and_enabled_false_does_not() {
    let (code, json) = check(&["testdata/audit_logs/arm_nested", "--select", "AKS019"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        aks019(&json),
        BTreeSet::from([named(
            "AKS019",
            "testdata/audit_logs/arm_nested/aks.json",
            "Microsoft.ContainerService/managedClusters/aks-silent"
        )])
    );
    let note = &first_of(&json, "AKS019")["related"][0];
    let template = "testdata/audit_logs/arm_nested/aks.json";
    assert_eq!(note["path"], template);
    // The setting resource inside the silent cluster's nested deployment.
    let (line, column) = locate_after(
        template,
        &["\"silent-diagnostics\""],
        "\"type\": \"Microsoft.Insights/diagnosticSettings\"",
    );
    assert_eq!(
        (note["line"].as_u64(), note["column"].as_u64()),
        (Some(line), Some(column))
    );
}

#[test]
fn a_bicep_module_receiving_the_cluster_name_counts() {
    let (code, json) = check(&["testdata/audit_logs/bicep_module", "--select", "AKS019"]);
    assert_eq!(code, 1, "{json}");
    let main = "testdata/audit_logs/bicep_module/main.bicep";
    assert_eq!(
        aks019(&json),
        BTreeSet::from([
            named(
                "AKS019",
                main,
                "Microsoft.ContainerService/managedClusters/aks-silent"
            ),
            // Given the cluster's ID, the module's setting is linked too, and named.
            named(
                "AKS019",
                main,
                "Microsoft.ContainerService/managedClusters/aks-by-id"
            ),
        ])
    );
    let by_id = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "Microsoft.ContainerService/managedClusters/aks-by-id")
        .unwrap();
    let note = &by_id["related"][0];
    let module = "testdata/audit_logs/bicep_module/modules/api-server.bicep";
    assert_eq!(note["path"], module);
    let (line, column) = locate(module, "'Microsoft.Insights/diagnosticSettings@");
    assert_eq!(
        (note["line"].as_u64(), note["column"].as_u64()),
        (Some(line), Some(column))
    );
}

#[test]
fn an_unknown_target_keeps_the_rule_quiet_and_warn_names_it() {
    let dir = "testdata/audit_logs/unknown_target";
    let (code, json) = check(&[dir, "--select", "AKS019"]);
    assert_eq!(code, 0, "{json}");
    assert!(aks019(&json).is_empty(), "{json}");
    let (_, json) = check(&[dir, "--select", "AKS019,AG003", "--unknown", "warn"]);
    assert_eq!(
        unplaced(&json, |_| true),
        BTreeSet::from([named(
            "AG003",
            "testdata/audit_logs/unknown_target/diagnostics.tf",
            "azurerm_monitor_diagnostic_setting.aks"
        )])
    );
    let message = first_of(&json, "AG003")["message"].as_str().unwrap();
    assert!(
        message.contains("AKS019") && message.contains("var.diagnostics_target"),
        "{message}"
    );
}

#[test]
fn sarif_names_the_peers_of_the_new_rules() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "testdata/audit_logs/tf_apiserver_only",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let peers = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["properties"]["peerIds"].clone())
            .unwrap_or_else(|| panic!("no {id} in {sarif}"))
    };
    assert_eq!(
        peers("AKS019"),
        serde_json::json!(["PSRule Azure.AKS.AuditLogs"])
    );
    assert_eq!(peers("AKS020"), serde_json::json!(["CKV_AZURE_143"]));
    // AKS021 has no peer: no `peerIds` at all.
    assert_eq!(peers("AKS021"), Value::Null);
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AKS019")
        .unwrap()["locations"][0]["physicalLocation"];
    assert_eq!(
        result["artifactLocation"]["uri"],
        "testdata/audit_logs/tf_apiserver_only/main.tf"
    );
    // Where the JSON report puts it (its marker checks that).
    let (_, json) = check(&["testdata/audit_logs/tf_apiserver_only"]);
    let finding = first_of(&json, "AKS019");
    assert_eq!(result["region"]["startLine"], finding["line"]);
    assert_eq!(result["region"]["startColumn"], finding["column"]);
}
