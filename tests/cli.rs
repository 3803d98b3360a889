//! The binary as CI and users see it: exit codes, JSON schema, parse errors that do not
//! stop the scan, and Terraform evaluation end to end (tfvars, locals, for_each, count,
//! dynamic blocks, functions).

mod common;

use common::{check, findings, first_of, locate, locate_in, named, row, unplaced};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Where each finding is reported is marked in testdata/tfeval (tests/markers.rs); this
/// test says which instance it is about.
#[test]
fn terraform_values_are_evaluated() {
    let (code, json) = check(&["testdata/tfeval"]);
    assert_eq!(code, 1);
    let on = |rule: &str, resource: &str| {
        findings(&json)
            .iter()
            .any(|f| f.0 == rule && f.1 == "testdata/tfeval/main.tf" && f.4 == resource)
    };
    // for_each over a variable map: each.value drives the attribute.
    assert!(on("AKS005", "azurerm_kubernetes_cluster.each[\"alpha\"]"));
    assert!(!findings(&json)
        .iter()
        .any(|f| f.0 == "AKS005" && f.4.ends_with("[\"beta\"]")));
    assert!(on("AKS016", "azurerm_kubernetes_cluster.each[\"beta\"]"));
    // A dynamic block over a list of objects produces the nested block.
    assert!(on("AKS002", "azurerm_kubernetes_cluster.each[\"alpha\"]"));
    // *.auto.tfvars makes the environment prod: local.channel = "stable", lookup() = cilium.
    assert!(!findings(&json)
        .iter()
        .any(|f| f.0 == "AKS011" && f.4.contains(".each")));
    assert!(!findings(&json)
        .iter()
        .any(|f| f.0 == "AKS008" && f.4.contains(".each")));
    // count = 2 in prod; terraform.tfvars overrides the variable default.
    assert!(on("AKS005", "azurerm_kubernetes_cluster.counted[0]"));
    assert!(on("AKS005", "azurerm_kubernetes_cluster.counted[1]"));
    let counted = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AKS005" && f["resource"] == "azurerm_kubernetes_cluster.counted[0]")
        .unwrap();
    assert_eq!(
        counted["related"][0]["path"],
        "testdata/tfeval/terraform.tfvars"
    );
    // The other place is the value the tfvars file assigns.
    let (line, column) = locate("testdata/tfeval/terraform.tfvars", "false");
    assert_eq!(counted["related"][0]["line"], line);
    assert_eq!(counted["related"][0]["column"], column);
    // A variable without a default is unknown, never "false": no AKS006.
    assert!(!findings(&json).iter().any(|f| f.0 == "AKS006"));
    // try() falls back past a missing attribute: azurerm_policy_enabled = true.
    assert!(!findings(&json)
        .iter()
        .any(|f| f.0 == "AKS007" && f.4.contains("counted")));
    // count = 0 creates no instance.
    assert!(!findings(&json).iter().any(|f| f.4.contains("skipped")));
    assert_eq!(json["errors"].as_array().unwrap().len(), 0);
}

/// The errors' places, and the findings of the healthy file, are marked in testdata/broken
/// (tests/markers.rs).
#[test]
fn a_broken_file_is_reported_and_the_scan_goes_on() {
    let (code, json) = check(&["testdata/broken"]);
    assert_eq!(code, 2, "parse errors make the exit code 2");
    let errors: BTreeSet<(String, String)> = errors(&json)
        .into_iter()
        .map(|(rule, path, _)| (rule, path))
        .collect();
    let expected = [
        ("AG001", "testdata/broken/broken.tf"),
        ("AG001", "testdata/broken/arm/broken.json"),
    ];
    // Broken JSON that is not an ARM template is none of our business.
    assert_eq!(
        errors,
        expected
            .iter()
            .map(|(r, p)| (r.to_string(), p.to_string()))
            .collect(),
    );
    // The healthy file in the same directory is still linted.
    assert!(findings(&json)
        .iter()
        .any(|f| f.0 == "AKS005" && f.1 == "testdata/broken/main.tf"));
    let (code, _) = check(&["testdata/broken", "--no-fail-on-parse-error"]);
    assert_eq!(code, 1);
}

#[test]
fn json_output_follows_the_documented_schema() {
    let (code, json) = check(&["testdata/example"]);
    assert_eq!(code, 1);
    assert_eq!(json["version"], 1);
    let summary = &json["summary"];
    for key in ["files", "resources", "findings", "errors", "duration_ms"] {
        assert!(summary[key].is_u64(), "summary.{key}");
    }
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AKS003")
        .expect("AKS003 in the corp zone");
    assert_eq!(finding["slug"], "public-api-server");
    assert_eq!(finding["severity"], "high", "AKS003 is high in corp zones");
    assert_eq!(finding["path"], "testdata/example/terraform/main.tf");
    // The span is the attribute, from its name to the end of its value (the fixture marks
    // where it starts).
    let attribute = "private_cluster_enabled = var.private_cluster";
    let (line, column) = locate("testdata/example/terraform/main.tf", attribute);
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(line), Some(column + attribute.len() as u64))
    );
    assert_eq!(finding["resource"], "azurerm_kubernetes_cluster.aks");
    assert_eq!(finding["landing_zone"], "corp-prod");
    assert_eq!(finding["suppressed"], false);
    assert_eq!(
        finding["related"][0]["path"],
        "testdata/example/terraform/variables.tf"
    );
    // The ARM cluster's RBAC comes from a parameter default.
    assert!(unplaced(&json, |_| true).contains(&named(
        "AKS006",
        "testdata/example/arm/aks.json",
        "Microsoft.ContainerService/managedClusters/online-aks"
    )));
    assert!(
        !findings(&json)
            .iter()
            .any(|f| f.0 == "AKS003" && f.1.contains("/arm/")),
        "online zones accept a public, IP-restricted API server"
    );
}

#[test]
fn fail_on_and_select_change_the_exit_code() {
    let (code, json) = check(&[
        "testdata/example",
        "--select",
        "AKS016",
        "--fail-on",
        "high",
    ]);
    assert_eq!(code, 0, "AKS016 findings are low");
    assert!(findings(&json).iter().all(|f| f.0 == "AKS016"));
    assert!(!findings(&json).is_empty());
    let (code, _) = check(&["testdata/example", "--select", "AKS016", "--fail-on", "low"]);
    assert_eq!(code, 1);
}

#[test]
fn rule_documentation_is_printed() {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["rule", "AKS005"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("# AKS005 local-accounts-enabled"));
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["rule", "AKS999"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// The rule's compliance references, with their sources and dates, are part of what
/// `aksguard rule` prints (README "References").
#[test]
fn rule_documentation_shows_its_references() {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["rule", "public-api-server-unrestricted"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let references = &text[text
        .find("\n## References\n")
        .expect("a References section")..];
    assert!(references.contains(
        "- Azure Policy: `/providers/Microsoft.Authorization/policyDefinitions/0e246bcf-5f6f-4f87-bc6f-775d4712c7ea` — Authorized IP ranges should be defined on Kubernetes Services (source: Azure/azure-policy@f4a50bacae07 "
    ), "{references}");
    assert!(references
        .contains("- MCSB: NS-2 — Secure cloud native services with network controls (source: "));
    assert!(references.contains(
        "- CIS AKS 1.8.0: 5.4.1 — Restrict Access to the Control Plane Endpoint (source: aquasecurity/kube-bench@a73ce378418c `cfg/aks-1.8/managedservices.yaml`"
    ));
    assert!(references.contains("; looked up 2026-12-07)"));
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["rule", "AG001"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("\n- Azure Policy: none — an engine diagnostic"),
        "{text}"
    );
}

#[test]
fn invalid_config_is_ag004_with_exit_code_2() {
    let dir = std::env::temp_dir().join(format!("aksguard-badconfig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = "fail-on = \"medium\"\nfail_on = \"high\"\n";
    std::fs::write(dir.join("aksguard.toml"), config).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_kubernetes_cluster\" \"a\" {}\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("check")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AG004"), "{stderr}");
    let (line, column) = locate_in(config, "fail_on");
    assert!(
        stderr.contains(&format!("aksguard.toml:{line}:{column}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("fail-on"),
        "suggests the right key: {stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn registries_link_across_files_and_landing_zones() {
    let (code, json) = check(&["testdata/landing-zones"]);
    assert_eq!(code, 1);
    let all = findings(&json);
    // The private endpoint in network.tf of the same root links to the registry in main.tf.
    assert!(!all
        .iter()
        .any(|f| f.0 == "ACR001" && f.4 == "azurerm_container_registry.hub"));
    // Where each is reported is marked in testdata/landing-zones (tests/markers.rs).
    let named_all = unplaced(&json, |_| true);
    assert!(named_all.contains(&named(
        "ACR001",
        "testdata/landing-zones/zone-b/main.tf",
        "azurerm_container_registry.own"
    )));
    // The data source names a registry declared in zone-a: a cross-zone AcrPull grant.
    assert!(named_all.contains(&named(
        "LZ002",
        "testdata/landing-zones/zone-b/main.tf",
        "azurerm_role_assignment.pull"
    )));
    let grant = first_of(&json, "LZ002");
    assert_eq!(grant["landing_zone"], "zone-b");
    let message = grant["message"].as_str().unwrap();
    for evidence in [
        "azurerm_kubernetes_cluster.aks",
        "`zone-b`",
        "`hubacr`",
        "`zone-a`",
    ] {
        assert!(message.contains(evidence), "{message}");
    }
    // zone-b has its own registry: no LZ001; zone-a has no cluster: no DEF001 there.
    assert!(!all.iter().any(|f| f.0 == "LZ001"));
    assert!(!all
        .iter()
        .any(|f| f.0 == "DEF001" && f.1.contains("zone-a")));
}

#[test]
fn rendered_helm_findings_carry_their_template() {
    let (code, json) = check(&["testdata/helm"]);
    assert_eq!(code, 2, "one broken document is a parse error");
    // testdata/helm marks where each finding and the error are reported (tests/markers.rs).
    let path = "testdata/helm/rendered.yaml";
    let named_all = unplaced(&json, |_| true);
    assert!(named_all.contains(&named("K8S017", path, "Service/shop/shop")));
    assert!(named_all.contains(&named("K8S010", path, "Deployment/shop/shop")));
    assert!(named_all.contains(&named("K8S011", path, "Deployment/shop/shop")));
    // `privileged: yes` is true for kubectl (YAML 1.1 booleans).
    assert!(named_all.contains(&named("K8S001", path, "Deployment/shop/shop")));
    // The ServiceAccount turns the token off; the NetworkPolicy denies by default.
    assert!(!findings(&json)
        .iter()
        .any(|f| f.0 == "K8S015" || f.0 == "K8S014"));
    let privileged = first_of(&json, "K8S001");
    assert_eq!(privileged["source"], "shop/templates/deployment.yaml");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], path);
}

#[test]
fn manifests_are_read_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["check", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers: []\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pod.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    let (line, column) = locate_in(pod, "hostPID");
    assert!(findings(&json).contains(&row("K8S008", "-", line, column, "Pod/default/p")));
}

#[test]
fn suppressions_hide_findings_and_unused_ones_are_reported() {
    let (_, json) = check(&["testdata/suppress"]);
    let get = |rule: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Inline comment on the line before, and on the same line (testdata/suppress marks
    // where each finding is, suppressed or not: tests/markers.rs).
    let local = get("AKS005");
    assert_eq!(local.len(), 1);
    assert_eq!(local[0]["suppressed"], true);
    assert!(local[0]["justification"]
        .as_str()
        .unwrap()
        .contains("OPS-1"));
    assert_eq!(get("AKS009")[0]["suppressed"], true);
    // ARM resource metadata and the Kubernetes annotation.
    assert_eq!(get("ACR004")[0]["suppressed"], true);
    assert_eq!(get("K8S008")[0]["suppressed"], true);
    // The AKS006 comment hides nothing: AG002 where it is written.
    assert!(unplaced(&json, |_| true).contains(&named("AG002", "testdata/suppress/main.tf", "")));
    // Suppressed findings do not count.
    let live = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .count();
    assert_eq!(json["summary"]["findings"].as_u64(), Some(live as u64));
}

#[test]
fn a_baseline_keeps_known_findings_quiet_and_reports_new_ones() {
    let dir = std::env::temp_dir().join(format!("aksguard-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tf = dir.join("main.tf");
    std::fs::write(
        &tf,
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  local_account_disabled = true\n}\n",
    )
    .unwrap();
    let baseline = dir.join("baseline.json");
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .arg("check")
            .arg(&dir)
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).ok(),
        )
    };
    let (code, _) = run(&["--write-baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let (code, json) = run(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(json.unwrap()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["suppressed"] == true));
    // Shift every line and introduce one new violation.
    let shifted =
        "\n\n\nresource \"azurerm_kubernetes_cluster\" \"aks\" {\n  local_account_disabled = false\n}\n";
    std::fs::write(&tf, shifted).unwrap();
    let (code, json) = run(&["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let json = json.unwrap();
    let live: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["rule"], "AKS005");
    assert_eq!(
        live[0]["line"],
        locate_in(shifted, "local_account_disabled").0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_named_file_is_linted_with_its_unit_and_only_it_is_reported() {
    // variables.tf and the tfvars of main.tf's directory are read, but only main.tf reported.
    let (_, whole) = check(&["testdata/tfeval"]);
    let (_, named) = check(&["testdata/tfeval/main.tf"]);
    assert_eq!(findings(&whole), findings(&named));
    let (code, only_variables) = check(&["testdata/tfeval/variables.tf"]);
    assert_eq!(code, 0);
    assert!(findings(&only_variables).is_empty());
}

#[test]
fn deeply_nested_input_is_an_error_and_a_giant_line_is_not_printed() {
    let dir = std::env::temp_dir().join(format!("aksguard-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let depth = 100_000;
    let nested = format!(
        "locals {{\n  x = {}{}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (nested_line, _) = locate_in(&nested, "x = ");
    std::fs::write(dir.join("deep.tf"), nested).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  local_account_disabled = false\n}\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("check")
        .arg(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("AG001"), "{stdout}");
    assert!(
        stdout.contains(&format!("deep.tf:{nested_line}:")),
        "the location replaces the snippet: {stdout}"
    );
    assert!(
        stdout.lines().all(|l| l.len() < 1_000),
        "no line of the nested file is echoed"
    );
    assert!(stdout.contains("AKS005"), "the other file is still linted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_at_the_bad_byte() {
    let dir = std::env::temp_dir().join(format!("aksguard-latin1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = b"resource \"azurerm_kubernetes_cluster\" \"a\" {\n  name = \"caf\xe9\"\n}\n";
    std::fs::write(dir.join("latin1.tf"), latin1).unwrap();
    // The byte that is not UTF-8 (the text before it is ASCII).
    let bad = latin1.iter().position(|&b| b == 0xe9).unwrap();
    let (line, column) = locate_in(&String::from_utf8_lossy(&latin1[..=bad]), "\u{fffd}");
    let (code, json) = check(&[dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    let error = &json["errors"][0];
    assert_eq!(error["rule"], "AG001");
    assert!(error["path"].as_str().unwrap().ends_with("latin1.tf"));
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(line), Some(column))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sensitive_workloads_are_compared_with_the_labels_of_their_zones_node_pools() {
    let (_, json) = check(&["testdata/k8s018", "--select", "K8S018"]);
    let bicep = "testdata/k8s018/bicep/k8s/secrets.yaml";
    let terraform = "testdata/k8s018/terraform/k8s/payments.yaml";
    // `keys` selects the tainted Bicep pool by its `nodeLabels`: not reported.
    assert_eq!(
        unplaced(&json, |_| true),
        BTreeSet::from([
            named("K8S018", bicep, "StatefulSet/secrets/vault"),
            named("K8S018", terraform, "Deployment/payments/payments"),
            named("K8S018", terraform, "Deployment/payments/ledger"),
        ])
    );
    let message_of = |resource: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource"] == resource)
            .and_then(|f| f["message"].as_str())
            .unwrap()
            .to_string()
    };
    // The Bicep child `agentPools` resource and the Terraform `default_node_pool` are
    // recognised by their labels, so these are pinned to a pool, not to nothing.
    assert!(message_of("StatefulSet/secrets/vault")
        .contains("its node selector only matches node pool `general`, with no taint"));
    assert!(message_of("Deployment/payments/payments")
        .contains("its node selector only matches node pool `system`, with no taint"));
    // `general` is the other zone's pool.
    assert!(message_of("Deployment/payments/ledger")
        .contains("its required node affinity matches no node pool of the landing zone"));
}

#[test]
fn node_pool_labels_unknown_offline_leave_k8s018_undecided() {
    let (_, json) = check(&[
        "testdata/k8s018/unknown",
        "--select",
        "K8S018,AG003",
        "--unknown",
        "warn",
    ]);
    let undecided = "testdata/k8s018/unknown/main.tf";
    assert_eq!(
        unplaced(&json, |_| true),
        BTreeSet::from([named(
            "AG003",
            undecided,
            "azurerm_kubernetes_cluster_node_pool.sensitive"
        )])
    );
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("K8S018") && message.contains("var.sensitive_pool_labels"),
        "{message}"
    );
}

/// A scan that finds nothing to check says so on standard error in every format, not only
/// the human one (a SARIF or JSON run in CI otherwise shows an empty report and exit 0).
#[test]
fn nothing_to_scan_is_said_in_every_format() {
    let dir = std::env::temp_dir().join(format!("aksguard-nothing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), "# nothing here\n").unwrap();
    for format in common::FORMATS {
        let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .args(["check", dir.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("aksguard: nothing to scan: no Terraform, ARM, Bicep, Kubernetes"),
            "{format}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// (rule, path, message) of every engine error in a JSON report, in its order.
fn errors(json: &Value) -> Vec<(String, String, String)> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Values given for a kind of unit the scan does not hold (`--parameters` without an ARM
/// template or Bicep file, `--var-file`/`--var` without a Terraform root) are an AG001
/// naming the option, not silently unused; where the unit is there, nothing is said.
#[test]
fn values_for_no_unit_of_the_scan_are_said() {
    let (code, json) = check(&[
        "testdata/build",
        "--parameters",
        "testdata/armparams/cli/prod.params.json",
        "--var-file",
        "testdata/varfile/prod.tfvars",
        "--var",
        "private=true",
    ]);
    assert_eq!(code, 2, "{json}");
    let errors: BTreeSet<(String, String, String)> = errors(&json)
        .into_iter()
        .map(|(rule, path, message)| {
            let option = message[..message.find(" applies").unwrap()].to_string();
            (rule, path, option)
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        (
            "testdata/armparams/cli/prod.params.json",
            "`--parameters testdata/armparams/cli/prod.params.json`",
        ),
        (
            "testdata/varfile/prod.tfvars",
            "`--var-file testdata/varfile/prod.tfvars`",
        ),
        ("testdata/build", "`--var private=...`"),
    ]
    .into_iter()
    .map(|(path, option)| ("AG001".to_string(), path.to_string(), option.to_string()))
    .collect();
    assert_eq!(errors, expected);
    let (_, json) = check(&[
        "testdata/varfile",
        "--var-file",
        "testdata/varfile/prod.tfvars",
    ]);
    assert_eq!(json["errors"], serde_json::json!([]), "{json}");
}

/// A `--var` that no root declares set nothing (Terraform refuses it): an AG001 naming it,
/// once however often it is given; a declared one is applied without a word.
#[test]
fn a_var_no_root_declares_is_said() {
    let (code, json) = check(&[
        "testdata/varfile",
        "--var",
        "network_policy=calico",
        "--var",
        "netwrok_policy=calico",
        "--var",
        "netwrok_policy=cilium",
    ]);
    assert_eq!(code, 2, "{json}");
    assert_eq!(
        errors(&json),
        [(
            "AG001".to_string(),
            "testdata/varfile".to_string(),
            "`--var netwrok_policy=...` names a variable no Terraform root of the scan declares \
             (`variable \"netwrok_policy\"`), so it set nothing: check its name"
                .to_string()
        )]
    );
    let (_, json) = check(&["testdata/varfile", "--var", "network_policy=calico"]);
    assert_eq!(json["errors"], serde_json::json!([]), "{json}");
}

/// `check ARGS` with standard output on `stdout`: exit code and standard error.
fn check_into(args: &[&str], stdout: std::process::Stdio, close_at_once: bool) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run aksguard");
    if close_at_once {
        // The reader goes away before a byte is written, as `| head -c 0` would.
        drop(child.stdout.take());
    }
    let output = child.wait_with_output().expect("aksguard ends");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_report_that_cannot_be_written_is_exit_code_2_in_every_format() {
    for format in common::FORMATS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let (code, stderr) = check_into(
            &["testdata/example", "--format", format],
            full.into(),
            false,
        );
        assert_eq!(code, 2, "{format}: {stderr}");
        assert!(
            stderr.contains("aksguard: cannot write the report: No space left on device"),
            "{format}: {stderr}"
        );
    }
}

#[test]
fn a_reader_that_goes_away_leaves_the_exit_code_to_the_findings() {
    for format in common::FORMATS {
        let (code, stderr) = check_into(
            &["testdata/example", "--format", format],
            std::process::Stdio::piped(),
            true,
        );
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(!stderr.contains("cannot write"), "{format}: {stderr}");
    }
}
