//! Terraform plan and state JSON end to end: a plan alone is checked where the plan writes
//! each resource; its sensitive values are never printed in any format; plans get their
//! own, larger size limit.

mod common;

use common::{check, findings, row};
use std::process::Command;

const ALONE: &str = "testdata/plan_alone/tfplan.json";

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
    assert!(found.contains(&row(
        "AKS005",
        ALONE,
        39,
        11,
        "module.aks[\"prod\"].azurerm_kubernetes_cluster.main"
    )));
    // An absent setting is reported at the resource's address in the plan.
    assert!(found.contains(&row(
        "AKS019",
        ALONE,
        22,
        18,
        "module.aks[\"prod\"].azurerm_kubernetes_cluster.main"
    )));
    // A cluster whose change only deletes it is not checked.
    assert!(!found.iter().any(|f| f.4.contains("retired")), "{found:?}");
    // The endpoint's target is the registry's ID, known only after apply: linked through
    // the configuration's references, the registry has Private Link and the other does not.
    assert!(found.contains(&row(
        "ACR001",
        ALONE,
        202,
        18,
        "azurerm_container_registry.cache"
    )));
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
    assert_eq!(ag003["line"], 619);
}

#[test]
fn sensitive_values_are_never_printed_in_any_format() {
    let secrets = ["5.0.0.0/8", "tok-9f8e7d6c5b4a-secret"];
    for format in [
        "human",
        "json",
        "sarif",
        "github",
        "azure-devops",
        "junit",
        "markdown",
    ] {
        let (code, out) = run(&["testdata/plan_alone", "--format", format]);
        assert_eq!(code, 1, "{format}: {out}");
        // The finding on the sensitive range is still made, without the range.
        assert!(out.contains("AKS002"), "{format}: {out}");
        for secret in secrets {
            assert!(!out.contains(secret), "{format} prints {secret}: {out}");
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
    assert_eq!(error["line"], 1);
    let text = std::fs::read_to_string("testdata/plan_broken/tfplan.json").unwrap();
    let missing_comma = text.find("\"admin_enabled\"").unwrap() + 1;
    assert_eq!(error["column"], missing_comma as u64);
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
