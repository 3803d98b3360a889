//! `check --diff`, `--fix` and `--unsafe-fixes` end to end, and the JSON `fix` field. The
//! fixtures are written to scratch directories (a fix edits them), so the places a test
//! names are found in their text.

mod common;

use common::locate_in;
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
    let (line, column) = locate_in(MAIN_TF, "azure_policy_enabled");
    assert_eq!(
        (&policy["line"], &policy["column"]),
        (&line.into(), &column.into())
    );
    assert_eq!(policy["fix"]["applicability"], "safe");
    // The edit replaces the value.
    let edit = &policy["fix"]["edits"][0];
    assert_eq!(edit["path"], "main.tf");
    let (line, column) = locate_in(MAIN_TF, "false");
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(line), Some(column))
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

/// A directory of files for one test, removed when it ends.
fn layout(name: &str, files: &[(&str, &str)]) -> Scratch {
    let dir = std::env::temp_dir().join(format!("aksguard-fixcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    Scratch(dir)
}

fn aksguard(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run aksguard")
}

/// (rule, path, line, column) of every finding of a JSON report.
fn places(output: &Output) -> Vec<(String, String, u64, u64)> {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

const SHARED_CLUSTER: &str = r#"resource "azurerm_kubernetes_cluster" "aks" {
  name                 = "aks"
  azure_policy_enabled = false
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
"#;

const SHARED_REGISTRY: &str = "resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acr1'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: false
  }
}
";

#[test]
fn fix_writes_only_beneath_the_scanned_paths_and_lists_the_rest_as_not_written() {
    let project_tf = format!("module \"cluster\" {{\n  source = \"../shared\"\n}}\n\n{MAIN_TF}");
    let dir = layout(
        "outside",
        &[
            ("shared/main.tf", SHARED_CLUSTER),
            ("shared/registry.bicep", SHARED_REGISTRY),
            ("project/main.tf", &project_tf),
            ("project/variables.tf", VARIABLES_TF),
            (
                "project/main.bicep",
                "module registry '../shared/registry.bicep' = {\n  name: 'registry'\n}\n",
            ),
        ],
    );
    let fixed = aksguard(&dir, &["check", "project", "--fix"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    for module in ["shared/main.tf", "shared/registry.bicep"] {
        assert!(
            stderr.contains(&format!(
                "aksguard: not written: {module}: outside the scanned paths"
            )),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("shared/main.tf")).unwrap(),
        SHARED_CLUSTER
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("shared/registry.bicep")).unwrap(),
        SHARED_REGISTRY
    );
    // The project's own file was fixed; the modules' findings are still reported where
    // they are written.
    assert!(std::fs::read_to_string(dir.join("project/main.tf"))
        .unwrap()
        .contains("azure_policy_enabled   = true"));
    let left = places(&aksguard(&dir, &["check", "project", "--format", "json"]));
    let at = |rule: &str, path: &str| {
        left.iter()
            .find(|(r, p, _, _)| r == rule && p == path)
            .map(|(_, _, line, column)| (*line, *column))
    };
    assert_eq!(
        at("AKS007", "shared/main.tf"),
        Some(locate_in(SHARED_CLUSTER, "azure_policy_enabled")),
        "{left:?}"
    );
    assert_eq!(at("AKS007", "project/main.tf"), None, "{left:?}");
    assert_eq!(
        at("ACR002", "shared/registry.bicep"),
        Some(locate_in(
            SHARED_REGISTRY,
            "'Microsoft.ContainerRegistry/registries"
        )),
        "{left:?}"
    );
}

const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-05-01",
      "name": "aks",
      "properties": {
        "dnsPrefix": "aks"
      }
    }
  ]
}
"#;

const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.25
";

#[test]
fn lines_a_fix_adds_to_a_crlf_file_end_in_crlf() {
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let dir = layout(
        "crlf",
        &[
            ("main.tf", &crlf(MAIN_TF)),
            ("registry.bicep", &crlf(SHARED_REGISTRY)),
            ("aks.json", &crlf(TEMPLATE)),
            ("pod.yaml", &crlf(POD)),
        ],
    );
    aksguard(&dir, &["check", ".", "--fix"]);
    for (file, added) in [
        ("main.tf", "    host_encryption_enabled = true\r\n"),
        ("registry.bicep", "    publicNetworkAccess: 'Disabled'\r\n"),
        (
            "aks.json",
            "\"addonProfiles\": {\r\n          \"azurepolicy\": {\r\n",
        ),
        (
            "pod.yaml",
            "      securityContext:\r\n        allowPrivilegeEscalation: false\r\n",
        ),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.contains(added), "{file}: {text:?}");
        let bare = text
            .match_indices('\n')
            .filter(|(i, _)| !text[..*i].ends_with('\r'));
        assert_eq!(bare.count(), 0, "{file}: {text:?}");
    }
}

#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_symbolic_link() {
    let dir = layout(
        "symlink",
        &[
            ("elsewhere/main.tf", MAIN_TF),
            ("elsewhere/module/main.tf", SHARED_CLUSTER),
            (
                "project/main.tf",
                "module \"cluster\" {\n  source = \"./linked\"\n}\n",
            ),
        ],
    );
    std::os::unix::fs::symlink("../elsewhere/main.tf", dir.join("project/link.tf")).unwrap();
    std::os::unix::fs::symlink("../elsewhere/module", dir.join("project/linked")).unwrap();

    let named = aksguard(&dir, &["check", "project/link.tf", "--fix"]);
    let stderr = String::from_utf8_lossy(&named.stderr);
    assert!(
        stderr.contains("aksguard: not written: project/link.tf: a symbolic link"),
        "{stderr}"
    );
    let through = aksguard(&dir, &["check", "project", "--fix"]);
    let stderr = String::from_utf8_lossy(&through.stderr);
    assert!(
        stderr.contains(
            "aksguard: not written: project/linked/main.tf: reached through the symbolic link"
        ),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("elsewhere/main.tf")).unwrap(),
        MAIN_TF
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("elsewhere/module/main.tf")).unwrap(),
        SHARED_CLUSTER
    );
    assert!(std::fs::symlink_metadata(dir.join("project/link.tf"))
        .unwrap()
        .file_type()
        .is_symlink());
}

const MODULE_CALLS: &str = r#"variable "policy" {
  default = false
}

module "pinned" {
  source               = "./modules/aks"
  name                 = "aks-a"
  azure_policy_enabled = false
}

module "shared" {
  source               = "./modules/aks"
  name                 = "aks-b"
  azure_policy_enabled = var.policy
}
"#;

const AKS_MODULE: &str = r#"variable "name" {}
variable "azure_policy_enabled" {}

resource "azurerm_kubernetes_cluster" "this" {
  name                 = var.name
  azure_policy_enabled = var.azure_policy_enabled
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
"#;

/// (rule, path, line, column, fix applicability) of every finding of a JSON report.
fn fixes(output: &Output) -> Vec<(String, String, u64, u64, String)> {
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["fix"]["applicability"]
                    .as_str()
                    .unwrap_or("none")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn a_module_argument_written_at_the_call_is_a_safe_fix_and_a_shared_root_default_is_not() {
    let dir = layout(
        "module-calls",
        &[
            ("main.tf", MODULE_CALLS),
            ("modules/aks/main.tf", AKS_MODULE),
        ],
    );
    let report = || {
        aksguard(
            &dir,
            &["check", ".", "--format", "json", "--select", "AKS007"],
        )
    };
    let finding = |line, column, applicability: &str| {
        (
            "AKS007".to_string(),
            "main.tf".to_string(),
            line,
            column,
            applicability.to_string(),
        )
    };
    // Both findings are reported where the caller wrote the value: the literal argument of
    // `pinned`, and the root variable default that `shared` passes on.
    assert_eq!(
        fixes(&report()),
        vec![finding(2, 13, "unsafe"), finding(8, 26, "safe")]
    );
    aksguard(&dir, &["check", ".", "--select", "AKS007", "--fix"]);
    assert_eq!(fixes(&report()), vec![finding(2, 13, "unsafe")]);
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert_eq!(
        main,
        MODULE_CALLS.replace(
            "azure_policy_enabled = false",
            "azure_policy_enabled = true"
        )
    );
    assert!(main.contains("default = false"), "{main}");
    aksguard(
        &dir,
        &[
            "check",
            ".",
            "--select",
            "AKS007",
            "--fix",
            "--unsafe-fixes",
        ],
    );
    assert_eq!(fixes(&report()), vec![]);
    assert_eq!(
        std::fs::read_to_string(dir.join("modules/aks/main.tf")).unwrap(),
        AKS_MODULE
    );
}
