//! Bicep source end to end: `.bicepparam` files, local modules, loops and conditions,
//! child resources, inline suppressions, syntax errors, and a `.bicep` file scanned
//! together with the ARM JSON compiled from it.

mod common;

use common::{check, first_of, locate, rows, Row};
use serde_json::Value;
use std::collections::BTreeSet;

/// The rows of the findings that are not suppressed.
fn findings(json: &Value) -> BTreeSet<Row> {
    rows(json, |f| f["suppressed"] != true)
}

/// The findings of one rule that are not suppressed.
fn of_rule(json: &Value, rule: &str) -> BTreeSet<Row> {
    rows(json, |f| f["suppressed"] != true && f["rule"] == rule)
}

/// (rule, file, resource) of findings whose line and column the fixture marks
/// (tests/markers.rs).
fn placeless(rows: BTreeSet<Row>) -> BTreeSet<(String, String, String)> {
    rows.into_iter()
        .map(|(rule, path, _, _, resource)| (rule, path, resource))
        .collect()
}

fn placeless_of(json: &Value, rule: &str) -> BTreeSet<(String, String, String)> {
    placeless(of_rule(json, rule))
}

fn at(rule: &str, path: &str, resource: &str) -> (String, String, String) {
    (rule.to_string(), path.to_string(), resource.to_string())
}

#[test]
fn a_bicepparam_file_supplies_the_parameters() {
    let (code, json) = check(&["testdata/bicep/params"]);
    assert_eq!(code, 1);
    let main = "testdata/bicep/params/main.bicep";
    // The default (true) would pass; prod.bicepparam turns local accounts back on, and its
    // interpolated name (from a .bicepparam variable) is the address.
    assert_eq!(
        placeless_of(&json, "AKS005"),
        BTreeSet::from([at(
            "AKS005",
            main,
            "Microsoft.ContainerService/managedClusters/aks-prod"
        )])
    );
    let finding = first_of(&json, "AKS005");
    assert!(
        finding.to_string().contains("prod.bicepparam"),
        "the value's origin is named: {finding}"
    );
    // The main file is evaluated through its parameters file only, not again alone.
    assert!(placeless(findings(&json))
        .iter()
        .all(|f| f.2.ends_with("/aks-prod")));
}

#[test]
fn modules_are_evaluated_with_their_callers_arguments() {
    let (_, json) = check(&["testdata/bicep/modules"]);
    let module = "testdata/bicep/modules/modules/registry.bicep";
    let registry = |name: &str| format!("Microsoft.ContainerRegistry/registries/{name}");
    // The argument overrides the module's default, for the one call that passes it: the
    // finding is where the value is written, the module's property is the other place.
    assert_eq!(
        placeless_of(&json, "ACR004"),
        BTreeSet::from([at(
            "ACR004",
            "testdata/bicep/modules/main.bicep",
            &registry("acrshared")
        )])
    );
    let admin = first_of(&json, "ACR004");
    assert_eq!(admin["source"], module);
    assert_eq!(admin["related"][0]["path"], module);
    let (line, column) = locate(module, "adminUserEnabled: adminUserEnabled");
    assert_eq!(admin["related"][0]["line"], line);
    assert_eq!(admin["related"][0]["column"], column);
    // The module hard-codes anonymous pull: every instance, including each iteration of
    // the looped call; the call switched off by its condition is not deployed.
    assert_eq!(
        placeless_of(&json, "ACR005"),
        ["acrshared", "acrone", "acrtwo"]
            .iter()
            .map(|n| at("ACR005", module, &registry(n)))
            .collect()
    );
    // The module file is not a root of its own: no instance with an unknown name.
    assert!(placeless(findings(&json))
        .iter()
        .all(|f| !f.2.ends_with("/?")));
}

#[test]
fn loops_conditions_and_child_resources() {
    let (_, json) = check(&["testdata/bicep/loops"]);
    let main = "testdata/bicep/loops/main.bicep";
    let cluster = "Microsoft.ContainerService/managedClusters/aks-loops";
    let user_pool = "Microsoft.ContainerService/managedClusters/agentPools/aks-loops/user1";
    // A property loop: the second profile (Ubuntu) comes from the loop variable.
    assert!(placeless(findings(&json)).contains(&at("AKS016", main, cluster)));
    // A resource loop with a condition: only the second iteration is deployed, as a child
    // of the cluster named by `parent:`; `!pool.hostEncryption` is false there.
    assert_eq!(
        placeless_of(&json, "AKS017"),
        BTreeSet::from([at("AKS017", main, user_pool)])
    );
    assert!(placeless(findings(&json))
        .iter()
        .all(|f| !f.2.contains("agentPools/aks-loops/user0")));
    // `// aksguard:ignore ACR004 -- ...` on the line before hides the finding, which is
    // listed as suppressed where its marker says.
    assert!(placeless_of(&json, "ACR004").is_empty());
}

#[test]
fn a_bicep_syntax_error_is_ag001_with_its_line() {
    let (code, json) = check(&["testdata/bicep/broken"]);
    assert_eq!(code, 2);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["rule"], "AG001");
    // Its line and column are marked in the fixture (tests/markers.rs).
    assert_eq!(errors[0]["path"], "testdata/bicep/broken/broken.bicep");
}

#[test]
fn a_bicep_file_and_its_compiled_json_are_reported_once_on_the_bicep() {
    let (_, json) = check(&["testdata/bicep/twin"]);
    let main = "testdata/bicep/twin/main.bicep";
    let registry = "Microsoft.ContainerRegistry/registries/acrtwin";
    assert_eq!(
        placeless_of(&json, "ACR004"),
        BTreeSet::from([at("ACR004", main, registry)])
    );
    assert!(placeless(findings(&json)).iter().all(|f| f.1 == main));
}

#[test]
fn a_compiled_template_stands_in_for_a_bicep_file_that_does_not_parse() {
    let (code, json) = check(&["testdata/bicep/broken-twin"]);
    assert_eq!(code, 2);
    assert_eq!(
        json["errors"][0]["path"],
        "testdata/bicep/broken-twin/main.bicep"
    );
    // The fixture marks the error's place and the finding's (tests/markers.rs).
    assert_eq!(json["errors"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(
        placeless_of(&json, "ACR004"),
        BTreeSet::from([at(
            "ACR004",
            "testdata/bicep/broken-twin/main.json",
            "Microsoft.ContainerRegistry/registries/acrtwin"
        )])
    );
}

#[test]
fn a_json_parameters_file_beside_a_bicep_file_gives_its_values() {
    let (code, json) = check(&["testdata/bicep/jsonparams"]);
    assert_eq!(code, 1);
    assert_eq!(
        placeless_of(&json, "ACR004"),
        BTreeSet::from([at(
            "ACR004",
            "testdata/bicep/jsonparams/main.bicep",
            "Microsoft.ContainerRegistry/registries/acrjsonparams"
        )])
    );
    let finding = first_of(&json, "ACR004");
    assert!(
        finding["related"]
            .to_string()
            .contains("main.parameters.json"),
        "{finding}"
    );
}

#[test]
fn a_module_can_deploy_a_local_arm_template() {
    let (code, json) = check(&["testdata/bicep/json_module"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        json["errors"],
        serde_json::json!([]),
        "the template is not read as Bicep"
    );
    let cluster = "Microsoft.ContainerService/managedClusters/jm-aks";
    // The range the caller passes (a parameter default of main.bicep) is reported where it
    // is written; the template property that uses it is the other place.
    assert_eq!(
        placeless_of(&json, "AKS002"),
        BTreeSet::from([at(
            "AKS002",
            "testdata/bicep/json_module/main.bicep",
            cluster
        )])
    );
    let aks002 = first_of(&json, "AKS002");
    assert_eq!(
        aks002["related"][0]["path"],
        "testdata/bicep/json_module/cluster.json"
    );
    let (line, column) = locate(
        "testdata/bicep/json_module/cluster.json",
        "\"authorizedIPRanges\"",
    );
    assert_eq!(aks002["related"][0]["line"], line);
    assert_eq!(aks002["related"][0]["column"], column);
    // What the template decides is reported in the template, under the caller's name; the
    // template is not evaluated again on its own (no `default-aks`).
    assert_eq!(
        placeless_of(&json, "AKS011"),
        BTreeSet::from([at(
            "AKS011",
            "testdata/bicep/json_module/cluster.json",
            cluster
        )])
    );
    assert!(!json.to_string().contains("default-aks"));
}

#[test]
fn a_module_path_that_differs_only_in_case_resolves_as_on_windows_and_macos() {
    let (code, json) = check(&["testdata/bicep/module_case"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(
        placeless_of(&json, "AKS005"),
        BTreeSet::from([at(
            "AKS005",
            "testdata/bicep/module_case/modules/aks.bicep",
            "Microsoft.ContainerService/managedClusters/case-aks"
        )])
    );
    // Called, so not evaluated again as a root with its defaults.
    assert!(!json.to_string().contains("root-aks"));
}

#[test]
fn a_restored_registry_module_is_evaluated_and_reported_at_the_module_statement() {
    // bicepconfig.json points the Bicep cache at testdata/bicep/registry/cache, which holds
    // `br/public:avm/res/container-service/managed-cluster:0.11.1` as `bicep restore`
    // leaves it; the container registry module is not restored and stays unknown.
    let (code, json) = check(&["testdata/bicep/registry/app"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let main = "testdata/bicep/registry/app/main.bicep";
    let cluster = "Microsoft.ContainerService/managedClusters/reg-aks";
    let reference = "br/public:avm/res/container-service/managed-cluster:0.11.1";
    // What the module decides: at the module statement's reference, with no fix (the
    // caller cannot edit the module), the restored template as the other place.
    // (The fixture marks where each finding is: tests/markers.rs.)
    assert_eq!(
        placeless_of(&json, "AKS008"),
        BTreeSet::from([at("AKS008", main, cluster)])
    );
    let aks008 = first_of(&json, "AKS008");
    assert_eq!(aks008["source"], reference);
    assert!(aks008["fix"].is_null());
    assert!(aks008["related"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("0.11.1$/main.json"));
    // What the caller passes: where it is written, with its fix.
    assert_eq!(
        placeless_of(&json, "AKS005"),
        BTreeSet::from([at("AKS005", main, cluster)])
    );
    let aks005 = first_of(&json, "AKS005");
    assert_eq!(aks005["source"], reference);
    assert_eq!(aks005["fix"]["applicability"], "safe");
    // The cluster deploys into the caller's landing zone.
    assert_eq!(aks005["landing_zone"], "app");
    assert!(!json.to_string().contains("Microsoft.ContainerRegistry"));
}

#[test]
fn a_value_from_a_bicepparam_file_is_fixed_there_as_an_unsafe_fix() {
    let (_, json) = check(&["testdata/bicep/params"]);
    let aks005 = first_of(&json, "AKS005");
    let fix = &aks005["fix"];
    // The parameters file may feed other resources too: the author's call.
    assert_eq!(fix["applicability"], "unsafe");
    let edit = &fix["edits"][0];
    let params = "testdata/bicep/params/prod.bicepparam";
    assert_eq!(edit["path"], params);
    // It replaces the value the parameters file assigns.
    let (line, column) = locate(params, "false");
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(edit["content"], "true");
}

#[test]
fn module_outputs_are_evaluated_so_an_endpoint_links_to_its_registry() {
    // The private endpoint names its registry only through `linked.outputs.id`: with the
    // output unknown ACR001 could not say which registry lacks Private Link.
    let (code, json) = check(&["testdata/bicep/module_outputs"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        placeless_of(&json, "ACR001"),
        BTreeSet::from([at(
            "ACR001",
            "testdata/bicep/module_outputs/registry.bicep",
            "Microsoft.ContainerRegistry/registries/outunlinkedacr"
        )])
    );
}

#[test]
fn parenthesised_values_and_their_negation_are_expressions() {
    // `a: (true)`, `a: !(false)` and `a: (1)` were read as a nullable type missing its `?`:
    // an AG001 and the registry lost.
    let (code, json) = check(&["testdata/bicep/parenthesized"]);
    assert_eq!(code, 1);
    assert_eq!(json["errors"], serde_json::json!([]), "{json}");
    let main = "testdata/bicep/parenthesized/main.bicep";
    let registry = "Microsoft.ContainerRegistry/registries/acrparens";
    // The second registry has no policies (ACR007, ACR008): only its ACR002 is asked about.
    let found: BTreeSet<(String, String, String)> =
        ["ACR002", "ACR004", "ACR005", "ACR003", "ACR007", "ACR008"]
            .iter()
            .flat_map(|rule| placeless_of(&json, rule))
            .filter(|row| row.2 == registry || row.0 == "ACR002")
            .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            // `adminUserEnabled: (true)`
            at("ACR004", main, registry),
            // `anonymousPullEnabled: !(false)`
            at("ACR005", main, registry),
            // `publicNetworkAccess: (enabled) ? 'Enabled' : 'Disabled'`
            at("ACR002", main, registry),
            // `environment == 'prod' ? 'Disabled' : 'Enabled'` was read as a nullable type
            // `(environment == 'prod')?` and a property `'Disabled': 'Enabled'`.
            at(
                "ACR002",
                main,
                "Microsoft.ContainerRegistry/registries/acrternary"
            ),
        ]),
        "a ('Premium') SKU, (1) retention days and a ('enabled') quarantine are read too"
    );
}
