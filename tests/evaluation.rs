//! Evaluation depth end to end: local Terraform modules, `dynamic` blocks switched by a
//! variable, `--var` / `--var-file`, `terraform.tfvars.json`, `.tf.json`, ARM parameters
//! files (sibling, generic, `--parameters`) and `--unknown=warn`. Every assertion names
//! the rule, file and resource address; the line and column of each finding are marked in
//! the fixture (tests/markers.rs), in `.tf.json` by a `"//"` property.

mod common;

use common::{check, findings, first_of, locate, named as at, unplaced, Named};
use serde_json::Value;

/// The findings of one rule as (rule, file, resource): where in the file each is reported is
/// marked in the fixture (tests/markers.rs).
fn of(json: &Value, rule: &str) -> Vec<Named> {
    unplaced(json, |f| f["rule"] == rule).into_iter().collect()
}

#[test]
fn module_argument_overrides_the_variable_default_and_is_reported_at_the_call_site() {
    let (code, json) = check(&["testdata/modules"]);
    assert_eq!(code, 1, "{json}");
    // `local_account_disabled = false` at the call site beats the module's default (true);
    // the other call keeps the default and is clean.
    assert_eq!(
        of(&json, "AKS005"),
        vec![at(
            "AKS005",
            "testdata/modules/live/main.tf",
            "module.overridden.azurerm_kubernetes_cluster.this"
        )]
    );
    let aks005 = first_of(&json, "AKS005");
    assert_eq!(aks005["source"], "testdata/modules/modules/aks/main.tf");
    // The other place: the module attribute that uses the value.
    assert_eq!(
        aks005["related"][0]["path"],
        "testdata/modules/modules/aks/main.tf"
    );
    let (line, column) = locate(
        "testdata/modules/modules/aks/main.tf",
        "local_account_disabled  = var.local_account_disabled",
    );
    assert_eq!(aks005["related"][0]["line"], line);
    assert_eq!(aks005["related"][0]["column"], column);
}

#[test]
fn module_hard_coded_value_is_reported_in_the_module_once_per_call() {
    let (_, json) = check(&["testdata/modules"]);
    let module = "testdata/modules/modules/aks/main.tf";
    assert_eq!(
        of(&json, "AKS007"),
        vec![
            at(
                "AKS007",
                module,
                "module.defaulted.azurerm_kubernetes_cluster.this"
            ),
            at(
                "AKS007",
                module,
                "module.overridden.azurerm_kubernetes_cluster.this"
            ),
        ]
    );
    // The other place: each instance's `module` block.
    for (resource, line) in [
        ("module.defaulted.azurerm_kubernetes_cluster.this", 8),
        ("module.overridden.azurerm_kubernetes_cluster.this", 1),
    ] {
        let finding = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "AKS007" && f["resource"] == resource)
            .unwrap();
        assert_eq!(
            finding["related"][0]["path"],
            "testdata/modules/live/main.tf"
        );
        assert_eq!(finding["related"][0]["line"], line);
        assert_eq!(finding["related"][0]["column"], 1);
    }
    // The module directory is not a root of its own: no unprefixed address anywhere, and
    // the registry module `Azure/aks/azurerm` is unknown, not an error.
    assert!(findings(&json)
        .iter()
        .all(|f| !f.4.starts_with("azurerm_kubernetes_cluster")));
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
}

#[test]
fn module_outputs_are_usable_by_the_caller() {
    let (_, json) = check(&["testdata/modules"]);
    let main = "testdata/modules/live/main.tf";
    let root = "azurerm_container_registry.root";
    assert_eq!(of(&json, "ACR003"), vec![at("ACR003", main, root)]);
    assert_eq!(of(&json, "ACR004"), vec![at("ACR004", main, root)]);
}

#[test]
fn recursive_modules_end_with_a_diagnostic() {
    let (code, json) = check(&["testdata/modules_recursive"]);
    assert_eq!(code, 2, "{json}");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json}");
    assert_eq!(errors[0]["rule"], "AG001");
    assert_eq!(errors[0]["path"], "testdata/modules_recursive/b/main.tf");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("recursive module calls"));
    // What was evaluated before the cycle is still linted.
    assert_eq!(
        of(&json, "ACR004"),
        vec![at(
            "ACR004",
            "testdata/modules_recursive/b/main.tf",
            "module.b.azurerm_container_registry.acr"
        )]
    );
}

#[test]
fn dynamic_api_server_access_profile_switched_by_a_variable() {
    let main = "testdata/dynamic_switch/main.tf";
    let aks = "azurerm_kubernetes_cluster.aks";
    // Default true: the block exists with a /16 range.
    let (_, json) = check(&["testdata/dynamic_switch"]);
    assert!(of(&json, "AKS001").is_empty(), "{json}");
    assert!(of(&json, "AKS002").is_empty(), "{json}");
    // Switched off: no block, a public API server without ranges, at the resource header.
    let (_, json) = check(&[
        "testdata/dynamic_switch",
        "--var",
        "restrict_api_server=false",
    ]);
    assert_eq!(of(&json, "AKS001"), vec![at("AKS001", main, aks)]);
}

#[test]
fn var_file_and_var_flags_set_root_variables() {
    let main = "testdata/varfile/main.tf";
    let aks = "azurerm_kubernetes_cluster.aks";
    // prod.tfvars is not loaded by itself.
    let (_, json) = check(&["testdata/varfile"]);
    assert!(of(&json, "AKS005").is_empty(), "{json}");
    let (_, json) = check(&[
        "testdata/varfile",
        "--var-file",
        "testdata/varfile/prod.tfvars",
    ]);
    assert_eq!(of(&json, "AKS005"), vec![at("AKS005", main, aks)]);
    let (_, json) = check(&[
        "testdata/varfile",
        "--var",
        "network_policy=none",
        "--var",
        "local_account_disabled=false",
    ]);
    assert_eq!(of(&json, "AKS005"), vec![at("AKS005", main, aks)]);
    assert_eq!(of(&json, "AKS008"), vec![at("AKS008", main, aks)]);
    // `--var` wins over `--var-file`.
    let (_, json) = check(&[
        "testdata/varfile",
        "--var-file",
        "testdata/varfile/prod.tfvars",
        "--var",
        "local_account_disabled=true",
    ]);
    assert!(of(&json, "AKS005").is_empty(), "{json}");
}

#[test]
fn a_missing_var_file_is_an_error() {
    let (code, json) = check(&[
        "testdata/varfile",
        "--var-file",
        "testdata/varfile/none.tfvars",
    ]);
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["rule"], "AG001");
}

#[test]
fn terraform_tfvars_json_is_loaded() {
    let (_, json) = check(&["testdata/tfvars_json"]);
    assert_eq!(
        of(&json, "ACR004"),
        vec![at(
            "ACR004",
            "testdata/tfvars_json/main.tf",
            "azurerm_container_registry.acr"
        )]
    );
}

#[test]
fn terraform_json_syntax_is_linted_with_positions_in_the_json() {
    let (_, json) = check(&["testdata/tfjson"]);
    let path = "testdata/tfjson/main.tf.json";
    let aks = "azurerm_kubernetes_cluster.aks";
    // "${var.local_account_disabled}" resolved to the variable's default.
    // The fixture marks each place with a `"//"` property (tests/markers.rs).
    assert_eq!(of(&json, "AKS005"), vec![at("AKS005", path, aks)]);
    // An element of a list in a nested block.
    assert_eq!(of(&json, "AKS002"), vec![at("AKS002", path, aks)]);
    // An absent attribute: anchored at the resource's key.
    assert_eq!(of(&json, "AKS007"), vec![at("AKS007", path, aks)]);
}

#[test]
fn arm_sibling_parameters_file() {
    let (_, json) = check(&["testdata/armparams/named"]);
    assert_eq!(
        of(&json, "AKS005"),
        vec![at(
            "AKS005",
            "testdata/armparams/named/aks.json",
            "Microsoft.ContainerService/managedClusters/aks"
        )]
    );
}

#[test]
fn arm_generic_azuredeploy_parameters_file_for_the_only_template() {
    let (_, json) = check(&["testdata/armparams/generic"]);
    assert_eq!(
        of(&json, "ACR004"),
        vec![at(
            "ACR004",
            "testdata/armparams/generic/template.json",
            "Microsoft.ContainerRegistry/registries/genericacr"
        )]
    );
}

#[test]
fn arm_parameters_flag() {
    let (_, json) = check(&["testdata/armparams/cli"]);
    assert!(of(&json, "AKS005").is_empty(), "{json}");
    let (_, json) = check(&[
        "testdata/armparams/cli",
        "--parameters",
        "testdata/armparams/cli/prod.params.json",
    ]);
    assert_eq!(
        of(&json, "AKS005"),
        vec![at(
            "AKS005",
            "testdata/armparams/cli/aks.json",
            "Microsoft.ContainerService/managedClusters/aks"
        )]
    );
}

#[test]
fn unknown_warn_names_the_expression() {
    // Silent by default.
    let (_, json) = check(&["testdata/unknown"]);
    assert!(of(&json, "AG003").is_empty());
    assert!(of(&json, "AKS005").is_empty());
    let (code, json) = check(&[
        "testdata/unknown",
        "--unknown",
        "warn",
        "--select",
        "AKS005",
    ]);
    assert_eq!(code, 0, "AG003 is info: it does not fail the run");
    assert_eq!(
        of(&json, "AG003"),
        vec![at(
            "AG003",
            "testdata/unknown/main.tf",
            "azurerm_kubernetes_cluster.aks"
        )]
    );
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("AKS005"), "{message}");
    assert!(message.contains("var.local_account_disabled"), "{message}");
    assert_eq!(json["findings"][0]["severity"], "info");
    // `--ignore AG003` wins over the flag.
    let (_, json) = check(&["testdata/unknown", "--unknown", "warn", "--ignore", "AG003"]);
    assert!(of(&json, "AG003").is_empty());
}

#[test]
fn optional_object_attributes_take_their_type_defaults() {
    let (_, json) = check(&["testdata/optional_types"]);
    let main = "testdata/optional_types/main.tf";
    // optional(bool, true) fills the pool that leaves it out; the explicit false fires.
    assert_eq!(
        of(&json, "AKS017"),
        vec![at(
            "AKS017",
            main,
            "azurerm_kubernetes_cluster_node_pool.pool[\"explicit\"]"
        )]
    );
    // optional(string) without a default is null: the provider default (Ubuntu) applies.
    assert_eq!(of(&json, "AKS016").len(), 2, "{json}");
}

#[test]
fn arm_language_version_2_functions_types_copy_variables_and_existing() {
    let (_, json) = check(&["testdata/arm_v2"]);
    let path = "testdata/arm_v2/main.json";
    let aks = "Microsoft.ContainerService/managedClusters/aks";
    // A typed object parameter from main.parameters.json.
    assert_eq!(of(&json, "AKS005"), vec![at("AKS005", path, aks)]);
    // A user-defined function over tryGet/coalesce decides the network policy.
    assert_eq!(of(&json, "AKS008"), vec![at("AKS008", path, aks)]);
    // Pools from a variable `copy` loop: only the second one lacks encryption at host.
    assert_eq!(of(&json, "AKS017"), vec![at("AKS017", path, aks)]);
    // The `existing` registry is a reference, not a registry this zone declares.
    assert_eq!(of(&json, "LZ001"), vec![at("LZ001", path, aks)]);
    assert!(of(&json, "ACR003").is_empty(), "{json}");
}

#[test]
fn a_syntax_error_in_a_module_is_reported_once_even_when_no_instance_is_evaluated() {
    let (code, json) = check(&["testdata/modules_broken"]);
    assert_eq!(code, 2, "{json}");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{json}");
    assert_eq!(
        errors[0]["path"],
        "testdata/modules_broken/modules/x/main.tf"
    );
}

#[test]
fn arm_properties_written_as_one_expression_are_evaluated() {
    // Bicep compiles a `union(...)` body to one expression string: what it sets counts,
    // and what it leaves out is reported at the expression.
    let (code, json) = check(&["testdata/arm_expression_properties"]);
    assert_eq!(code, 1, "{json}");
    let file = "testdata/arm_expression_properties/main.json";
    let cluster = "Microsoft.ContainerService/managedClusters/expr-aks";
    let rules: Vec<String> = findings(&json).into_iter().map(|r| r.0).collect();
    for set_by_the_expression in ["AKS001", "AKS004", "AKS005", "AKS016", "AKS017"] {
        assert!(
            !rules.iter().any(|r| r == set_by_the_expression),
            "{set_by_the_expression} in {rules:?}"
        );
    }
    assert_eq!(of(&json, "AKS015"), vec![at("AKS015", file, cluster)]);
    assert_eq!(of(&json, "AKS008"), vec![at("AKS008", file, cluster)]);
}

#[test]
fn a_registry_module_installed_by_terraform_init_is_evaluated_and_reported_at_the_call() {
    // testdata/tfinstalled/.terraform/modules holds what `terraform init` leaves: the
    // manifest and the module (with a local submodule of its own).
    let (code, json) = check(&["testdata/tfinstalled"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let main = "testdata/tfinstalled/main.tf";
    let cluster = "module.aks.azurerm_kubernetes_cluster.main";
    // The value the caller passes: where it is written.
    assert_eq!(of(&json, "AKS005"), vec![at("AKS005", main, cluster)]);
    // What the module decides, also in its own submodule: at the project's `module` block,
    // the installed file as the other place, and no fix (`terraform init` overwrites it).
    assert_eq!(
        of(&json, "AKS017"),
        vec![
            at("AKS017", main, cluster),
            at(
                "AKS017",
                main,
                "module.aks.module.pool.azurerm_kubernetes_cluster_node_pool.user"
            ),
        ]
    );
    let aks017 = first_of(&json, "AKS017");
    assert!(aks017["fix"].is_null());
    assert_eq!(
        aks017["related"][0]["path"],
        "testdata/tfinstalled/.terraform/modules/aks/main.tf"
    );
    // The module that was not installed stays unknown.
    assert!(!json.to_string().contains("azurerm_container_registry"));
}

#[test]
fn arm_reference_to_a_nested_deployment_reads_its_outputs() {
    // How Bicep compiles `module.outputs.id`: the endpoint names its registry through
    // `reference(<deployment>).outputs.id.value`, which evaluates like the rest of the
    // nested template, so the other registry is the one without Private Link.
    let (code, json) = check(&["testdata/arm_deployment_outputs"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        of(&json, "ACR001"),
        vec![at(
            "ACR001",
            "testdata/arm_deployment_outputs/main.json",
            "Microsoft.ContainerRegistry/registries/depunlinkedacr"
        )]
    );
}
