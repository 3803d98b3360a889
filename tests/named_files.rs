//! Scanning named files (what a pre-commit hook does with the changed files): the named
//! file's whole unit is evaluated, its own findings are shown, and the findings of the unit
//! that lie in other files are counted in every format with the command that shows them.

mod common;

use common::{check, findings, row};
use serde_json::Value;
use std::process::Command;

/// `aksguard check ARGS` from the repository root: exit code and standard output.
fn run(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run aksguard");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn not_shown(json: &Value) -> u64 {
    json["summary"]["not_shown"].as_u64().unwrap()
}

/// The command the human line names, without `aksguard check`.
fn suggested_paths(human: &str) -> Vec<String> {
    let line = human
        .lines()
        .find(|l| l.contains("not shown"))
        .unwrap_or_else(|| panic!("no not-shown line in {human}"));
    let command = line.split('`').nth(1).unwrap();
    command
        .strip_prefix("aksguard check ")
        .unwrap()
        .split(' ')
        .map(str::to_string)
        .collect()
}

#[test]
fn a_named_root_file_counts_the_findings_its_modules_hold() {
    let module = "testdata/named/terraform/modules/aks/main.tf";
    let cluster = "module.aks.azurerm_kubernetes_cluster.this";
    let (code, named) = check(&["testdata/named/terraform/main.tf"]);
    assert_eq!(code, 0, "{named}");
    assert!(findings(&named).is_empty(), "{named}");
    let hidden = not_shown(&named);
    assert!(hidden > 1, "{named}");

    let (code, human) = run(&["testdata/named/terraform/main.tf"]);
    assert_eq!(code, 0);
    assert!(
        human.contains(&format!("{hidden} findings of the evaluated units lie in files not named on the command line and are not shown: `aksguard check testdata/named/terraform` reports them")),
        "{human}"
    );
    // The command it names reports them, AKS005 in the module among them.
    let paths = suggested_paths(&human);
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (code, whole) = check(&args);
    assert_eq!(code, 1);
    assert_eq!(not_shown(&whole), 0);
    assert_eq!(findings(&whole).len() as u64, hidden);
    assert!(findings(&whole).contains(&row("AKS005", module, 10, 3, cluster)));

    // Naming the module file too shows everything.
    let (code, both) = check(&["testdata/named/terraform/main.tf", module]);
    assert_eq!(code, 1);
    assert_eq!(not_shown(&both), 0);
    assert_eq!(findings(&both), findings(&whole));
}

#[test]
fn a_named_bicepparam_file_counts_the_findings_of_its_template() {
    let (code, named) = check(&["testdata/named/bicep/main.bicepparam"]);
    assert_eq!(code, 0, "{named}");
    assert!(findings(&named).is_empty());
    let (code, whole) = check(&["testdata/named/bicep"]);
    assert_eq!(code, 1);
    assert!(not_shown(&named) > 1);
    assert_eq!(findings(&whole).len() as u64, not_shown(&named));
    // The value the parameters file sets is reported where the template uses it.
    assert!(findings(&whole).contains(&row(
        "ACR004",
        "testdata/named/bicep/main.bicep",
        27,
        5,
        "Microsoft.ContainerRegistry/registries/namedacr"
    )));
}

#[test]
fn every_format_says_what_was_not_shown() {
    let named = "testdata/named/bicep/main.bicepparam";
    let (_, json) = check(&[named]);
    let hidden = not_shown(&json);
    let line = format!("{hidden} findings of the evaluated units lie in files not named on the command line and are not shown: `aksguard check testdata/named/bicep` reports them");

    let (code, github) = run(&[named, "--format", "github"]);
    assert_eq!(code, 0);
    assert!(
        github.contains(&format!("::notice title=aksguard::{line}\n")),
        "{github}"
    );

    let (_, devops) = run(&[named, "--format", "azure-devops"]);
    assert!(devops.contains(&format!("##[warning]{line}\n")), "{devops}");
    assert!(!devops.contains("##vso"), "{devops}");

    let (_, junit) = run(&[named, "--format", "junit"]);
    assert!(junit.contains("skipped=\"1\""), "{junit}");
    assert!(
        junit.contains(&format!("<skipped message=\"{}\"/>", line)),
        "{junit}"
    );

    let (_, sarif) = run(&[named, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "note");
    assert_eq!(note["message"]["text"], line);
    assert_eq!(note["properties"]["not_shown"], hidden);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn a_directory_scan_hides_nothing_and_says_nothing() {
    let (_, json) = check(&["testdata/named/terraform"]);
    assert_eq!(not_shown(&json), 0);
    let (_, human) = run(&["testdata/named/terraform"]);
    assert!(!human.contains("not shown"), "{human}");
}

#[test]
fn a_broken_file_of_the_named_files_unit_is_reported() {
    // Another file of the directory does not parse: the named file's values may depend on
    // it, so the error is shown (exit 2) although the file was not named.
    let dir = std::env::temp_dir().join(format!("aksguard-named-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  local_account_disabled = var.off\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("variables.tf"),
        "variable \"off\" {\n  default = \n",
    )
    .unwrap();
    let main = dir.join("main.tf");
    let (code, json) = check(&[main.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2, "{json}");
    let error = &json["errors"][0];
    assert_eq!(error["rule"], "AG001");
    assert!(
        error["path"].as_str().unwrap().ends_with("variables.tf"),
        "{json}"
    );
    assert_eq!(
        (&error["line"], &error["column"]),
        (&2.into(), &13.into()),
        "{json}"
    );
}

#[test]
fn findings_a_baseline_knows_are_not_counted_as_not_shown() {
    let baseline = std::env::temp_dir().join(format!(
        "aksguard-named-baseline-{}.json",
        std::process::id()
    ));
    let status = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/named/terraform", "--write-baseline"])
        .arg(&baseline)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let (code, json) = check(&[
        "testdata/named/terraform/main.tf",
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&baseline);
    assert_eq!(code, 0, "{json}");
    assert_eq!(not_shown(&json), 0, "{json}");
}
