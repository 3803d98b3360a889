//! Never a false "clean": code the real tool accepts is read (never AG001), and what
//! aksguard cannot evaluate offline is announced (AG005 module-not-evaluated). Every
//! assertion names the rule, file and resource, and the exit code; the fixtures mark each
//! finding's line and column (tests/markers.rs), and the other formats must agree with the
//! JSON report on them.

mod common;

use common::{check, locate_in, named, unplaced};

#[test]
fn repeated_object_keys_are_read_as_terraform_does_the_later_one_wins() {
    let (code, json) = check(&["testdata/repeated_keys"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    assert_eq!(json["summary"]["resources"], 3);
    // `local_account_disabled = true` then `= false`: false wins, so AKS005 fires; the
    // registry's `{ "admin" = false, admin = true }` is an admin user enabled.
    assert_eq!(
        unplaced(&json, |f| ["AKS005", "ACR004"]
            .contains(&f["rule"].as_str().unwrap())),
        [
            named(
                "ACR004",
                "testdata/repeated_keys/hcl/main.tf",
                "azurerm_container_registry.acr"
            ),
            named(
                "AKS005",
                "testdata/repeated_keys/hcl/main.tf",
                "azurerm_kubernetes_cluster.aks"
            ),
            named(
                "AKS005",
                "testdata/repeated_keys/json/main.tf.json",
                "azurerm_kubernetes_cluster.aks"
            ),
        ]
        .into_iter()
        .collect()
    );
}

#[test]
fn yaml_that_kubectl_accepts_is_read_not_rejected() {
    // A flow sequence closed under its key, and a quoted command continued on lines indented
    // less than its item: saphyr alone rejects both, kubectl (go-yaml) and PyYAML accept them.
    let (code, json) = check(&["testdata/accepted_syntax"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    assert_eq!(
        unplaced(&json, |f| f["rule"] == "K8S001"),
        [
            named(
                "K8S001",
                "testdata/accepted_syntax/deployment.yaml",
                "Deployment/default/web"
            ),
            named(
                "K8S001",
                "testdata/accepted_syntax/job.yaml",
                "Job/default/migrate"
            ),
        ]
        .into_iter()
        .collect()
    );
}

/// `aksguard check ARGS` from the repository root in another format: exit code and stdout.
fn check_as(args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .output()
        .expect("run aksguard");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn modules_and_charts_that_were_not_evaluated_are_announced_at_their_call() {
    let (code, json) = check(&["testdata/not_evaluated"]);
    // Info: announced, but the exit code stays 0 by default.
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    assert_eq!(
        unplaced(&json, |f| f["rule"] == "AG005"),
        [
            named(
                "AG005",
                "testdata/not_evaluated/arm/azuredeploy.json",
                "Microsoft.Resources/deployments/cluster"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/arm/azuredeploy.json",
                "Microsoft.Resources/deployments/registry"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/bicep/main.bicep",
                "cluster"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/bicep/main.bicep",
                "registry"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/chart/Chart.yaml",
                "Chart/shop"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/terraform/main.tf",
                "module.aks"
            ),
            named(
                "AG005",
                "testdata/not_evaluated/terraform/main.tf",
                "module.network"
            ),
        ]
        .into_iter()
        .collect()
    );
    let finding = |resource: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource"] == resource)
            .unwrap()
            .clone()
    };
    let aks = finding("module.aks");
    assert_eq!(aks["severity"], "info");
    assert_eq!(aks["slug"], "module-not-evaluated");
    let message = aks["message"].as_str().unwrap();
    assert!(message.contains("`Azure/aks/azurerm` 7.3.1"), "{message}");
    assert!(
        message.contains("the clusters and registries it deploys were not checked"),
        "{message}"
    );
    assert!(aks["help"]
        .as_str()
        .unwrap()
        .contains("`terraform init -backend=false` in `testdata/not_evaluated/terraform`"));
    assert!(finding("cluster")["help"]
        .as_str()
        .unwrap()
        .contains("`bicep restore testdata/not_evaluated/bicep/main.bicep`"));
    assert!(
        finding("Microsoft.Resources/deployments/cluster")["message"]
            .as_str()
            .unwrap()
            .contains("the linked template `https://example.com/templates/aks.json`")
    );
    // The sub-chart under charts/ is rendered with its parent: one notice, both templates.
    let chart = finding("Chart/shop");
    assert!(chart["message"]
        .as_str()
        .unwrap()
        .contains("its 2 templates were not checked"));
    assert!(chart["help"]
        .as_str()
        .unwrap()
        .contains("`helm template testdata/not_evaluated/chart | aksguard check -`"));
}

#[test]
fn notices_fail_the_run_only_with_fail_on_info() {
    let (code, _) = check(&["testdata/not_evaluated/terraform", "--fail-on", "info"]);
    assert_eq!(code, 1);
    let (code, _) = check(&["testdata/not_evaluated/terraform", "--fail-on", "low"]);
    assert_eq!(code, 0);
}

#[test]
fn notices_are_shown_in_every_format() {
    let target = "testdata/not_evaluated/terraform";
    let (code, human) = check_as(&[target]);
    assert_eq!(code, 0);
    assert!(human.contains("AG005 module-not-evaluated"), "{human}");
    let summary = human.lines().last().unwrap();
    assert!(
        summary.contains("2 findings (2 info)") && summary.contains("2 modules not evaluated"),
        "{summary}"
    );
    // Where the JSON report puts each notice (its marker checks that).
    let (_, json) = check(&[target]);
    let place = |resource: &str| {
        let f = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource"] == resource)
            .unwrap_or_else(|| panic!("no {resource} in {json}"));
        let n = |key: &str| f[key].as_u64().unwrap();
        (n("line"), n("column"), n("end_line"), n("end_column"))
    };
    let (line, column, end_line, end_column) = place("module.aks");
    let (_, github) = check_as(&[target, "--format", "github"]);
    assert!(github.contains(&format!(
        "::notice file=testdata/not_evaluated/terraform/main.tf,line={line},col={column},endLine={end_line},endColumn={end_column},title=AG005 module-not-evaluated::"
    )), "{github}");
    let (network_line, network_column, _, _) = place("module.network");
    let (_, devops) = check_as(&[target, "--format", "azure-devops"]);
    assert!(devops.contains(&format!(
        "sourcepath=testdata/not_evaluated/terraform/main.tf;linenumber={network_line};columnnumber={network_column};code=AG005]"
    )), "{devops}");
    let (_, junit) = check_as(&[target, "--format", "junit"]);
    assert!(
        junit.contains("<testsuite name=\"AG005 module-not-evaluated\" tests=\"2\""),
        "{junit}"
    );
    let (_, sarif) = check_as(&[target, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = rules
        .iter()
        .position(|r| r["id"] == "AG005")
        .expect("AG005 rule");
    assert_eq!(rules[index]["name"], "ModuleNotEvaluated");
    assert!(rules[index]["helpUri"]
        .as_str()
        .unwrap()
        .ends_with("rules/AG005.md"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "AG005");
    assert_eq!(result["ruleIndex"], index);
    assert_eq!(result["level"], "note");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(line), Some(column))
    );
}

#[test]
fn a_notice_is_suppressible_like_any_finding() {
    let dir = std::env::temp_dir().join(format!("aksguard-ag005-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let main = "module \"aks\" {\n  source = \"Azure/aks/azurerm\"\n}\n";
    std::fs::write(dir.join("main.tf"), main).unwrap();
    std::fs::write(
        dir.join("aksguard.toml"),
        "[[suppress]]\nrule = \"AG005\"\nresource = \"module.aks\"\nreason = \"checked in its own repository\"\n",
    )
    .unwrap();
    let path = dir.to_string_lossy().into_owned();
    let (code, json) = check(&[&path, "--fail-on", "info"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{json}");
    let notice = &json["findings"][0];
    assert_eq!(notice["rule"], "AG005");
    // On the module block, as unsuppressed.
    let (line, column) = locate_in(main, "module");
    assert_eq!(
        (notice["line"].as_u64(), notice["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(notice["suppressed"], true);
}

#[test]
fn the_engine_diagnostics_are_listed_and_documented() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("rules")
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&output.stdout);
    for (id, slug) in [
        ("AG001", "parse-error"),
        ("AG002", "unused-suppression"),
        ("AG003", "unresolved-value"),
        ("AG004", "invalid-config"),
        ("AG005", "module-not-evaluated"),
    ] {
        assert!(
            listing
                .lines()
                .any(|l| l.starts_with(id) && l.contains(slug)),
            "{listing}"
        );
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .args(["rule", id])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let doc = String::from_utf8_lossy(&output.stdout);
        assert!(doc.starts_with(&format!("# {id} {slug}\n")), "{doc}");
    }
}
