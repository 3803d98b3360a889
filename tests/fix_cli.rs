//! `check --diff`, `--fix` and `--unsafe-fixes` end to end, and the JSON `fix` field.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MAIN_TF: &str = r#"resource "azurerm_kubernetes_cluster" "aks" {
  name                   = "aks"
  local_account_disabled = var.local_accounts_off
  azure_policy_enabled   = false
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
"#;

const VARIABLES_TF: &str = r#"variable "local_accounts_off" {
  default = false
}
"#;

/// A scratch directory, removed when the test ends (passed or failed).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("aksguard-fixcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(dir.join("variables.tf"), VARIABLES_TF).unwrap();
    Scratch(dir)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(dir)
        .arg("check")
        .arg(".")
        .args(args)
        .output()
        .expect("run aksguard")
}

fn json(dir: &Path) -> Value {
    serde_json::from_slice(&run(dir, &["--format", "json"]).stdout).unwrap()
}

fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

#[test]
fn the_json_report_carries_each_fix_with_its_applicability_and_edits() {
    let dir = scratch("json");
    let report = json(&dir);
    let policy = finding(&report, "AKS007").expect("AKS007");
    assert_eq!(policy["line"], 4);
    assert_eq!(policy["fix"]["applicability"], "safe");
    let edit = &policy["fix"]["edits"][0];
    assert_eq!(edit["path"], "main.tf");
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(4), Some(28))
    );
    assert_eq!(edit["content"], "true");
    let accounts = finding(&report, "AKS005").expect("AKS005");
    assert_eq!(accounts["fix"]["applicability"], "unsafe");
    assert_eq!(accounts["fix"]["edits"][0]["path"], "variables.tf");
}

#[test]
fn diff_prints_a_unified_diff_and_changes_nothing() {
    let dir = scratch("diff");
    let output = run(&dir, &["--diff"]);
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(diff.contains("--- a/main.tf\n+++ b/main.tf\n@@"), "{diff}");
    assert!(
        diff.contains("-  azure_policy_enabled   = false\n+  azure_policy_enabled   = true\n"),
        "{diff}"
    );
    assert!(
        !diff.contains("variables.tf"),
        "unsafe fixes need --unsafe-fixes: {diff}"
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.join("main.tf")).unwrap(),
        MAIN_TF
    );
}

#[test]
fn fix_applies_safe_fixes_and_unsafe_ones_only_when_asked() {
    let dir = scratch("fix");
    run(&dir, &["--fix"]);
    let report = json(&dir);
    assert!(finding(&report, "AKS007").is_none(), "{report}");
    assert!(
        finding(&report, "AKS005").is_some(),
        "unsafe fix applied without asking"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("variables.tf")).unwrap(),
        VARIABLES_TF
    );
    run(&dir, &["--fix", "--unsafe-fixes"]);
    let report = json(&dir);
    assert!(finding(&report, "AKS005").is_none(), "{report}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    assert!(std::fs::read_to_string(dir.join("variables.tf"))
        .unwrap()
        .contains("default = true"));
}

#[test]
fn sarif_results_carry_the_same_fix_as_byte_replacements() {
    let dir = scratch("sarif");
    let json = json(&dir);
    let edit = &finding(&json, "AKS007").expect("AKS007")["fix"]["edits"][0];
    let sarif: Value = serde_json::from_slice(&run(&dir, &["--format", "sarif"]).stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AKS007")
        .expect("AKS007 result");
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "main.tf");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["byteOffset"], edit["start"]);
    assert_eq!(replacement["deletedRegion"]["byteLength"], 5);
    assert_eq!(replacement["insertedContent"]["text"], "true");
}
