//! A template Bicep compiled, kept beside its `.bicep` source under another name: each
//! finding is reported once, on the `.bicep` file; a compiled template without its source
//! (or beside an unrelated `.bicep` file) is reported itself. Each fixture marks where its
//! AKS005 and ACR004 findings are reported (tests/markers.rs).

mod common;

use common::{check, findings, named, unplaced};
use serde_json::Value;

fn paths(json: &Value) -> std::collections::BTreeSet<String> {
    findings(json).into_iter().map(|r| r.1).collect()
}

#[test]
fn a_quickstart_template_is_reported_once_on_its_bicep_source() {
    let (code, json) = check(&["testdata/twins/quickstart"]);
    assert_eq!(code, 1, "{json}");
    let bicep = "testdata/twins/quickstart/main.bicep";
    assert_eq!(paths(&json), [bicep.to_string()].into(), "{json}");
    let all = findings(&json);
    assert!(unplaced(&json, |_| true).contains(&named(
        "AKS005",
        bicep,
        "Microsoft.ContainerService/managedClusters/qs-aks"
    )));
    assert_eq!(all.iter().filter(|r| r.0 == "AKS005").count(), 1);
    assert_eq!(all.iter().filter(|r| r.0 == "ACR004").count(), 1);
}

#[test]
fn a_module_and_its_symbolic_names_template_report_once() {
    // aks.symbolicnames.json (languageVersion 2.0) names the same symbols as aks.bicep,
    // which main.bicep calls with another cluster name.
    let (code, json) = check(&["testdata/twins/symbolic"]);
    assert_eq!(code, 1, "{json}");
    let module = "testdata/twins/symbolic/aks.bicep";
    assert_eq!(paths(&json), [module.to_string()].into(), "{json}");
    assert!(unplaced(&json, |_| true).contains(&named(
        "AKS005",
        module,
        "Microsoft.ContainerService/managedClusters/prod-aks"
    )));
}

#[test]
fn a_compiled_template_without_its_source_is_reported() {
    let template = "testdata/twins/alone/azuredeploy.json";
    let (code, json) = check(&["testdata/twins/alone"]);
    assert_eq!(code, 1, "{json}");
    assert!(unplaced(&json, |_| true).contains(&named(
        "AKS005",
        template,
        "Microsoft.ContainerService/managedClusters/qs-aks"
    )));

    // Beside a .bicep file that declares other resources: still its own.
    let (code, json) = check(&["testdata/twins/different"]);
    assert_eq!(code, 1, "{json}");
    let all = unplaced(&json, |_| true);
    assert!(all.contains(&named(
        "AKS005",
        "testdata/twins/different/azuredeploy.json",
        "Microsoft.ContainerService/managedClusters/qs-aks"
    )));
    assert!(all.contains(&named(
        "ACR004",
        "testdata/twins/different/main.bicep",
        "Microsoft.ContainerRegistry/registries/otheracr"
    )));
}
