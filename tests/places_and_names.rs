//! Where findings point and how they name things: a value one variable feeds to a cluster
//! module and a node pool module is reported with each resource's own module attribute as
//! the other place; notes name paths; messages never show evaluator placeholders. The
//! fixtures mark where each finding is reported (tests/markers.rs); the other places are
//! found by their text.

mod common;

use common::{check, locate, named, Named};
use serde_json::Value;
use std::process::Command;

fn finding<'a>(json: &'a Value, rule: &str, resource: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["resource"] == resource)
        .unwrap_or_else(|| panic!("no {rule} on {resource} in {json}"))
}

fn place(f: &Value) -> Named {
    named(
        f["rule"].as_str().unwrap(),
        f["path"].as_str().unwrap(),
        f["resource"].as_str().unwrap(),
    )
}

/// Where the module reads the variable the finding is about.
const CLUSTER_USE: &str = "kubernetes_version      = var.kubernetes_version";
const POOL_USE: &str = "orchestrator_version  = var.orchestrator_version";

#[test]
fn each_module_resource_names_the_attribute_it_reads() {
    let (code, json) = check(&["testdata/places/terraform", "--select", "AKS013"]);
    assert_eq!(code, 1, "{json}");
    let main = "testdata/places/terraform/main.tf";
    let cluster_module = "testdata/places/terraform/modules/cluster/main.tf";
    let pool_module = "testdata/places/terraform/modules/pool/main.tf";

    let cluster = finding(
        &json,
        "AKS013",
        "module.cluster.azurerm_kubernetes_cluster.this",
    );
    assert_eq!(
        place(cluster),
        named(
            "AKS013",
            main,
            "module.cluster.azurerm_kubernetes_cluster.this"
        )
    );
    assert_eq!(cluster["source"], cluster_module, "{cluster}");
    assert_eq!(cluster["related"][0]["path"], cluster_module, "{cluster}");
    let (line, column) = locate(cluster_module, CLUSTER_USE);
    assert_eq!(cluster["related"][0]["line"], line);
    assert_eq!(cluster["related"][0]["column"], column);

    let pool = finding(
        &json,
        "AKS013",
        "module.pool.azurerm_kubernetes_cluster_node_pool.user",
    );
    assert_eq!(pool["source"], pool_module, "{pool}");
    assert_eq!(pool["related"][0]["path"], pool_module, "{pool}");
    let (line, column) = locate(pool_module, POOL_USE);
    assert_eq!(pool["related"][0]["line"], line);
    assert_eq!(pool["related"][0]["column"], column);
}

#[test]
fn notes_name_paths() {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/places/terraform", "--select", "AKS013"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let human = String::from_utf8_lossy(&output.stdout);
    let module = "testdata/places/terraform/modules/cluster/main.tf";
    let (line, _) = locate(module, CLUSTER_USE);
    assert!(
        human.contains(&format!(
            "note: the module uses the value here at {module}:{line}"
        )),
        "{human}"
    );
    assert!(!human.contains(" at main.tf:"), "{human}");
}

#[test]
fn messages_name_resources_as_written_when_their_names_are_unknown() {
    let (code, json) = check(&["testdata/places/names", "--select", "ACR004,AKS017,K8S001"]);
    assert_eq!(code, 1, "{json}");
    let dir = "testdata/places/names";
    // The one finding of the rule in the file (the fixture marks where).
    let message = |rule: &str, path: &str| -> String {
        let mut of = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule && f["path"] == format!("{dir}/{path}"));
        let f = of
            .next()
            .unwrap_or_else(|| panic!("no {rule} in {path} in {json}"));
        assert!(
            of.next().is_none(),
            "more than one {rule} in {path}: {json}"
        );
        f["message"].as_str().unwrap().to_string()
    };
    let bicep_registry = message("ACR004", "main.bicep");
    assert!(
        bicep_registry.starts_with("Registry `registry` "),
        "{bicep_registry}"
    );
    let arm_registry = message("ACR004", "registry.json");
    assert!(
        arm_registry.starts_with("Registry `[parameters('registryName')]` "),
        "{arm_registry}"
    );
    let pool = message("AKS017", "main.bicep");
    assert!(pool.starts_with("Node pool `userPool` "), "{pool}");
    let container = message("K8S001", "pod.yaml");
    assert!(
        container.starts_with("Container `containers[1]` "),
        "{container}"
    );
    for f in json["findings"].as_array().unwrap() {
        let text = f["message"].as_str().unwrap();
        assert!(
            !text.contains("/?") && !text.contains("`?`"),
            "placeholder in {text}"
        );
    }
}

/// A node pool module given `module.cluster.id` belongs to the cluster of the other module:
/// its `kubernetes_cluster_id` carries the cluster's full address (a typed referent), not
/// the text `azurerm_kubernetes_cluster.this.id` written inside the cluster module.
#[test]
fn a_pool_module_links_to_the_cluster_module_whose_id_it_is_given() {
    let (code, json) = check(&["testdata/places/terraform", "--select", "AKS018"]);
    assert_eq!(code, 1, "{json}");
    let cluster = "module.cluster.azurerm_kubernetes_cluster.this";
    assert_eq!(
        place(finding(&json, "AKS018", cluster)),
        named(
            "AKS018",
            "testdata/places/terraform/modules/cluster/main.tf",
            cluster
        )
    );
}
