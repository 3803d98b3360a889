//! Terraform plan and state JSON end to end: a plan alone is checked where the plan writes
//! each resource; its sensitive values are never printed in any format; plans get their
//! own, larger size limit. A plan is Terraform's output and carries no markers: a place in
//! it is found by its text, in the resource's `resource_changes` entry; the `.tf` files
//! beside a plan mark their findings (tests/markers.rs).

mod common;

use common::{check, findings, locate, locate_after, row};
use std::process::Command;

const ALONE: &str = "testdata/plan_alone/tfplan.json";

/// Where `needle` is first written in the `resource_changes` entry of `address`.
fn in_change(plan: &str, address: &str, needle: &str) -> (u64, u64) {
    let entry = format!("\"address\": {}", serde_json::json!(address));
    locate_after(plan, &["\"resource_changes\"", &entry], needle)
}

/// Where the `resource_changes` entry of `address` writes the address: the place of what
/// the plan decides by leaving an attribute out.
fn at_address(plan: &str, address: &str) -> (u64, u64) {
    let key = "\"address\": ";
    let entry = format!("{key}{}", serde_json::json!(address));
    let (line, column) = locate_after(plan, &["\"resource_changes\""], &entry);
    (line, column + key.len() as u64)
}

/// The row of a finding reported in a plan, at `(line, column)`.
fn in_plan(rule: &str, plan: &str, (line, column): (u64, u64), resource: &str) -> common::Row {
    row(rule, plan, line, column, resource)
}

fn run(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run aksguard");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_plan_alone_reports_each_resource_in_the_plan_with_its_address() {
    let (code, json) = check(&["testdata/plan_alone"]);
    assert_eq!(code, 1);
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    let found = findings(&json);
    // A cluster inside a registry module: checked from the plan, at its attribute.
    let prod = "module.aks[\"prod\"].azurerm_kubernetes_cluster.main";
    assert!(found.contains(&in_plan(
        "AKS005",
        ALONE,
        in_change(ALONE, prod, "\"local_account_disabled\""),
        prod
    )));
    // An absent setting is reported at the resource's address in the plan.
    assert!(found.contains(&in_plan("AKS019", ALONE, at_address(ALONE, prod), prod)));
    // A cluster whose change only deletes it is not checked.
    assert!(!found.iter().any(|f| f.4.contains("retired")), "{found:?}");
    // The endpoint's target is the registry's ID, known only after apply: linked through
    // the configuration's references, the registry has Private Link and the other does not.
    let cache = "azurerm_container_registry.cache";
    assert!(found.contains(&in_plan("ACR001", ALONE, at_address(ALONE, cache), cache)));
    assert!(!found
        .iter()
        .any(|f| f.0 == "ACR001" && f.4 == "azurerm_container_registry.acr"));
    // A plan has no fix: the change belongs in the source.
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("fix").is_none_or(|fix| fix.is_null())));
}

#[test]
fn values_known_only_after_apply_are_named_so_with_unknown_warn() {
    let (_, json) = check(&["testdata/plan_alone", "--unknown", "warn"]);
    let ag003 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG003" && f["resource"] == "azurerm_kubernetes_cluster.batch")
        .expect("AG003 on the batch cluster");
    let message = ag003["message"].as_str().unwrap();
    assert!(
        message.contains("`azurerm_public_ip.egress.ip_address (known after apply)`"),
        "{message}"
    );
    assert_eq!(ag003["path"], ALONE);
    // At the API server profile the unknown ranges would be written in.
    let (line, column) = locate_after(
        ALONE,
        &[
            "\"resource_changes\"",
            "\"address\": \"azurerm_kubernetes_cluster.batch\"",
            "\"api_server_access_profile\": [",
        ],
        "{",
    );
    assert_eq!(
        (&ag003["line"], &ag003["column"]),
        (&line.into(), &column.into())
    );
}

#[test]
fn sensitive_values_are_never_printed_in_any_format() {
    let secrets = ["5.0.0.0/8", "tok-9f8e7d6c5b4a-secret"];
    for format in common::FORMATS {
        // Alone (findings in the plan) and beside its configuration (on the `.tf` lines).
        for dir in ["testdata/plan_alone", "testdata/plan_oracle"] {
            let (code, out) = run(&[dir, "--format", format]);
            assert_eq!(code, 1, "{format}: {out}");
            // The finding on the sensitive range is still made, without the range.
            assert!(out.contains("AKS002"), "{format}: {out}");
            for secret in secrets {
                assert!(!out.contains(secret), "{format} prints {secret}: {out}");
            }
        }
    }
    let (_, json) = check(&["testdata/plan_alone"]);
    let aks002 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AKS002")
        .unwrap();
    assert!(aks002["message"]
        .as_str()
        .unwrap()
        .contains("`(sensitive value)`"));
}

#[test]
fn a_broken_plan_is_an_error_at_its_place_and_its_text_is_not_shown() {
    let (code, json) = check(&["testdata/plan_broken"]);
    assert_eq!(code, 2);
    let error = &json["errors"][0];
    assert_eq!(error["rule"], "AG001");
    assert_eq!(error["path"], "testdata/plan_broken/tfplan.json");
    // Where a comma is missing: before `"admin_enabled"`.
    let (line, column) = locate("testdata/plan_broken/tfplan.json", "\"admin_enabled\"");
    assert_eq!(
        (&error["line"], &error["column"]),
        (&line.into(), &column.into())
    );
    for format in ["human", "sarif", "markdown", "github", "junit"] {
        let (code, out) = run(&["testdata/plan_broken", "--format", format]);
        assert_eq!(code, 2, "{format}: {out}");
        assert!(out.contains("tfplan"), "{format}: {out}");
        assert!(
            !out.contains("zq-plan-secret"),
            "{format} shows the plan: {out}"
        );
    }
}

#[test]
fn plans_may_be_larger_than_other_files_but_are_still_bounded() {
    let dir = std::env::temp_dir().join(format!("aksguard-bigplan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let padding = "x".repeat(17 << 20);
    let plan = format!(
        "{{\"format_version\":\"1.2\",\"terraform_version\":\"1.7.5\",\"resource_changes\":[\
         {{\"address\":\"azurerm_container_registry.big\",\"mode\":\"managed\",\
         \"type\":\"azurerm_container_registry\",\"name\":\"big\",\"change\":{{\"actions\":[\"create\"],\
         \"after\":{{\"name\":\"bigacr\",\"sku\":\"Premium\",\"admin_enabled\":true,\"tags\":{{\"pad\":\"{padding}\"}}}}}}}}]}}\n"
    );
    std::fs::write(dir.join("tfplan.json"), &plan).unwrap();
    // Not a plan: the usual 16 MiB limit.
    std::fs::write(dir.join("other.json"), format!("{{\"pad\":\"{padding}\"}}")).unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    let (code, json) = check(&[dir_arg.as_str()]);
    assert_eq!(code, 2);
    assert!(findings(&json)
        .iter()
        .any(|f| f.0 == "ACR004" && f.1.ends_with("tfplan.json")));
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["path"].as_str().unwrap().ends_with("other.json"));
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("more than the 16 MiB"));
    let _ = std::fs::remove_dir_all(&dir);
}

const ORACLE: &str = "testdata/plan_oracle/main.tf";

/// (rule, path, line, column, resource, notes as "path:line message") of a finding.
type Placed = (String, String, u64, u64, String, Vec<String>);

fn placed(json: &serde_json::Value) -> Vec<Placed> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let notes = f["related"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    format!(
                        "{}:{} {}",
                        r["path"].as_str().unwrap(),
                        r["line"],
                        r["message"].as_str().unwrap()
                    )
                })
                .collect();
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["resource"].as_str().unwrap().to_string(),
                notes,
            )
        })
        .collect()
}

fn finding<'a>(all: &'a [Placed], rule: &str, resource: &str) -> &'a Placed {
    all.iter()
        .find(|f| f.0 == rule && f.4 == resource)
        .unwrap_or_else(|| panic!("no {rule} on {resource} in {all:#?}"))
}

#[test]
fn a_plan_beside_its_configuration_reports_on_the_source_lines() {
    // testdata/plan_oracle/main.tf marks where each finding named here is reported.
    let (code, json) = check(&["testdata/plan_oracle"]);
    assert_eq!(code, 1);
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    let all = placed(&json);
    // The root is reported once: nothing is reported in the plan itself.
    assert!(all.iter().all(|f| f.1 == ORACLE), "{all:#?}");
    // A variable the pipeline set (`-var acr_public=true`): on the attribute that uses it.
    let acr002 = finding(&all, "ACR002", "azurerm_container_registry.acr");
    let oracle_plan = "testdata/plan_oracle/tfplan.json";
    let (value, _) = locate_after(oracle_plan, &["\"acr_public\""], "\"value\"");
    assert_eq!(
        acr002.5,
        [format!(
            "{oracle_plan}:{value} value from the plan (variable `acr_public`)"
        )]
    );
    // A cluster inside a registry module `terraform init` did not install: at the module
    // call's argument that sets the value, and the module is no longer AG005.
    let aks005 = finding(&all, "AKS005", "module.aks.azurerm_kubernetes_cluster.main");
    assert!(aks005.5[0].ends_with("value from the plan"), "{aks005:?}");
    // A module variable's default the call does not set: at the `module` block.
    finding(&all, "AKS007", "module.aks.azurerm_kubernetes_cluster.main");
    assert!(!all.iter().any(|f| f.0 == "AG005"), "{all:#?}");
    // `for_each` over a data source: the plan's instances, each on the source line.
    finding(
        &all,
        "AKS012",
        "azurerm_kubernetes_cluster.team[\"search\"]",
    );
    assert!(!all
        .iter()
        .any(|f| f.0 == "AKS012" && f.4.contains("payments")));
    assert!(
        !all.iter().any(|f| f.4 == "azurerm_kubernetes_cluster.team"),
        "the unexpanded instance is replaced"
    );
    // A sensitive variable: reported on its line, never printed.
    finding(&all, "AKS002", "azurerm_kubernetes_cluster.edge");
    assert!(!json.to_string().contains("5.0.0.0/8"));
    // The registry's ID is known only after apply: the endpoint still links to it.
    assert!(!all.iter().any(|f| f.0 == "ACR001"), "{all:#?}");
}

#[test]
fn without_its_plan_the_same_root_is_unknown_where_the_plan_decides() {
    let dir = std::env::temp_dir().join(format!("aksguard-noplan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(ORACLE, dir.join("main.tf")).unwrap();
    let dir_arg = dir.to_string_lossy().into_owned();
    let (_, json) = check(&[dir_arg.as_str()]);
    let all = placed(&json);
    for rule in ["ACR002", "AKS005", "AKS012", "AKS002"] {
        assert!(
            !all.iter().any(|f| f.0 == rule),
            "{rule} without a plan: {all:#?}"
        );
    }
    assert!(all.iter().any(|f| f.0 == "AG005"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plan_named_on_the_command_line_joins_the_root_it_was_made_from() {
    let plan = "testdata/plan_named/plans/tfplan.json";
    let main = "testdata/plan_named/root/main.tf";
    let (_, json) = check(&["testdata/plan_named/root"]);
    assert!(!findings(&json).iter().any(|f| f.0 == "AKS005"));
    // Two roots scanned: the plan joins the one whose configuration it is.
    let (_, json) = check(&[
        "testdata/plan_named/root",
        "testdata/plan_oracle",
        "--plan",
        plan,
    ]);
    let all = placed(&json);
    // testdata/plan_named/root/main.tf marks where (tests/markers.rs).
    let aks005 = finding(&all, "AKS005", "azurerm_kubernetes_cluster.aks");
    assert_eq!(aks005.1, main);
    let (value, _) = locate_after(plan, &["\"local_accounts_off\""], "\"value\"");
    assert_eq!(
        aks005.5,
        [format!(
            "{plan}:{value} value from the plan (variable `local_accounts_off`)"
        )]
    );
    assert_eq!(json["errors"].as_array().unwrap().len(), 0);
    // A plan of no scanned root is checked alone, and the user is told.
    let (code, json) = check(&["testdata/plan_oracle", "--plan", plan]);
    assert_eq!(code, 2);
    let cluster = "azurerm_kubernetes_cluster.aks";
    assert!(findings(&json).contains(&in_plan(
        "AKS005",
        plan,
        in_change(plan, cluster, "\"local_account_disabled\""),
        cluster
    )));
    let message = json["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("is the plan of no single scanned Terraform root"),
        "{message}"
    );
}

/// (rule, resource) of every finding.
fn rule_and_resource(json: &serde_json::Value) -> std::collections::BTreeSet<(String, String)> {
    findings(json).into_iter().map(|f| (f.0, f.4)).collect()
}

#[test]
fn a_fully_known_root_gives_the_same_findings_from_source_and_from_its_plan() {
    let source = "testdata/plan_equivalence/source";
    let plan = "testdata/plan_equivalence/plan/tfplan.json";
    let (_, from_source) = check(&[source]);
    let (_, from_plan) = check(&["testdata/plan_equivalence/plan"]);
    let (_, together) = check(&[source, "--plan", plan]);
    for json in [&from_source, &from_plan, &together] {
        assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    }
    let expected = rule_and_resource(&from_source);
    // Clusters, a separate node pool, registries, the Defender plan: all kinds of finding.
    for (rule, resource) in [
        ("AKS005", "azurerm_kubernetes_cluster.legacy"),
        ("AKS020", "azurerm_kubernetes_cluster_node_pool.batch"),
        ("ACR004", "azurerm_container_registry.open"),
        ("ACR003", "azurerm_container_registry.basic"),
        (
            "DEF001",
            "azurerm_security_center_subscription_pricing.containers",
        ),
    ] {
        assert!(
            expected.contains(&(rule.to_string(), resource.to_string())),
            "{rule} {resource}: {expected:?}"
        );
    }
    // Linked in both: the endpoint (the registry's ID known only after apply in the plan)
    // and the diagnostic setting (the cluster's ID known in the plan).
    assert!(!expected
        .iter()
        .any(|f| f.1 == "azurerm_container_registry.private"));
    assert!(!expected
        .iter()
        .any(|f| f.0 == "AKS019" && f.1.ends_with("platform")));
    assert_eq!(rule_and_resource(&from_plan), expected);
    assert_eq!(rule_and_resource(&together), expected);
    // Alone, the plan's findings are in the plan; with its source, in the source.
    assert!(findings(&from_plan).iter().all(|f| f.1 == plan));
    assert!(findings(&together)
        .iter()
        .all(|f| f.1 == format!("{source}/main.tf")));
}

#[test]
fn plans_link_across_landing_zones_through_data_sources_and_references() {
    let (_, json) = check(&["testdata/plan_zones"]);
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    let plan = "testdata/plan_zones/zone-a/tfplan.json";
    let found = findings(&json);
    // The grant's principal is the kubelet identity of a cluster the plan creates (known
    // after apply, linked through its reference); its scope the registry a data source
    // read in the prior state: a registry of the other landing zone.
    let pull = "azurerm_role_assignment.pull";
    assert!(
        found.contains(&in_plan("LZ002", plan, at_address(plan, pull), pull)),
        "{found:?}"
    );
    // Defender's Containers plan with registry scanning (its `extension` block) and a
    // registry that lets no trusted service through.
    assert!(
        found.contains(&in_plan(
            "DEF003",
            plan,
            in_change(
                plan,
                "azurerm_container_registry.own",
                "\"network_rule_bypass_option\""
            ),
            "azurerm_container_registry.own"
        )),
        "{found:?}"
    );
}
