//! Scanning named files (what a pre-commit hook does with the changed files): the named
//! file's whole unit is evaluated, its own findings are shown, and the findings of the unit
//! that lie in other files are counted in every format with the command that shows them.
//! The fixtures mark where the findings named here are reported (tests/markers.rs).

mod common;

use common::{check, findings, locate_in, unplaced};
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
    assert!(unplaced(&whole, |_| true).contains(&common::named("AKS005", module, cluster)));

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
    assert!(unplaced(&whole, |_| true).contains(&common::named(
        "ACR004",
        "testdata/named/bicep/main.bicep",
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
    let variables = "variable \"off\" {\n  default = \n";
    std::fs::write(dir.join("variables.tf"), variables).unwrap();
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
    // Where the value is missing: just after `default = `.
    let written = "default = ";
    let (line, column) = locate_in(variables, written);
    let column = column + written.len() as u64;
    assert_eq!(
        (&error["line"], &error["column"]),
        (&line.into(), &column.into()),
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

/// A named file is checked or told why not, in every format: YAML that is not Kubernetes or
/// a pipeline, JSON that is no template, and a `.tfvars` Terraform does not load are AG006
/// notices at 1:1 (info: a pre-commit hook passes every changed `.yml`/`.json`, so they do
/// not fail the run); a file of no format aksguard reads is an AG001 error (exit code 2).
#[test]
fn a_named_file_that_is_not_checked_is_said_in_every_format() {
    let dir = "testdata/named/unchecked";
    let yaml = format!("{dir}/settings.yml");
    let json = format!("{dir}/tool.json");
    let tfvars = format!("{dir}/prod.tfvars");
    let notes = format!("{dir}/notes.txt");
    let readable = [yaml.as_str(), json.as_str(), tfvars.as_str()];
    let notices =
        |report: &Value| common::rows(report, |f| f["rule"] == "AG006" && f["severity"] == "info");
    let expected: std::collections::BTreeSet<_> = readable
        .iter()
        .map(|path| common::row("AG006", path, 1, 1, path))
        .collect();

    let (code, report) = check(&readable);
    assert_eq!(code, 0, "info does not fail the run: {report}");
    assert_eq!(notices(&report), expected, "{report}");
    assert_eq!(findings(&report), expected, "{report}");
    let (code, _) = check(&[&readable[..], &["--fail-on", "info"]].concat());
    assert_eq!(code, 1);

    let all = [&readable[..], &[notes.as_str()]].concat();
    let (code, report) = check(&all);
    assert_eq!(code, 2, "{report}");
    assert_eq!(notices(&report), expected);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["rule"], "AG001");
    assert_eq!(errors[0]["path"], notes.as_str());
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("aksguard does not check this kind of file"),
        "{report}"
    );
    // A directory scan reads only what it checks, and says nothing about the rest.
    let (code, report) = check(&[dir]);
    assert_eq!(code, 0, "{report}");
    assert!(findings(&report).is_empty() && report["errors"] == serde_json::json!([]));

    let (code, human) = run(&all);
    assert_eq!(code, 2);
    for path in readable {
        assert!(human.contains(&format!("[{path}:1:1]")), "{human}");
    }
    assert!(human.contains("AG006 file-not-checked"), "{human}");
    assert!(human.contains("AG001 parse-error"), "{human}");
    assert!(human.contains("--var-file"), "{human}");

    let (_, github) = run(&[&all[..], &["--format", "github"]].concat());
    for path in readable {
        assert!(
            github.contains(&format!(
                "::notice file={path},line=1,col=1,endLine=1,endColumn=1,title=AG006 file-not-checked::"
            )),
            "{github}"
        );
    }
    assert!(
        github.contains(&format!("aksguard: AG001 parse-error: {notes}: ")),
        "{github}"
    );

    let (_, devops) = run(&[&all[..], &["--format", "azure-devops"]].concat());
    for path in readable {
        assert!(
            devops.contains(&format!(
                "##vso[task.logissue type=warning;sourcepath={path};linenumber=1;columnnumber=1;code=AG006]"
            )),
            "{devops}"
        );
    }
    assert!(
        devops.contains(&format!("aksguard: AG001 parse-error: {notes}: ")),
        "{devops}"
    );

    let (_, junit) = run(&[&all[..], &["--format", "junit"]].concat());
    for path in readable {
        assert!(
            junit.contains(&format!("{path}:1:1: AG006 file-not-checked (info)")),
            "{junit}"
        );
    }
    assert!(
        junit.contains(&format!("{notes}: AG001 parse-error: ")),
        "{junit}"
    );

    let (_, markdown) = run(&[&all[..], &["--format", "markdown"]].concat());
    assert_eq!(
        markdown.matches("file-not-checked | ").count(),
        3,
        "{markdown}"
    );
    assert!(markdown.contains("settings\\.yml:1 |"), "{markdown}");
    assert!(
        markdown.contains("notes\\.txt: AG001 parse-error"),
        "{markdown}"
    );

    let (_, sarif) = run(&[&all[..], &["--format", "sarif"]].concat());
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let run0 = &sarif["runs"][0];
    let mut places: Vec<(String, u64, u64)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "AG006")
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                location["region"]["startLine"].as_u64().unwrap(),
                location["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    places.sort();
    let mut want: Vec<(String, u64, u64)> =
        readable.iter().map(|p| (p.to_string(), 1, 1)).collect();
    want.sort();
    assert_eq!(places, want, "{sarif}");
    let notes_notice = run0["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["associatedRule"]["id"] == "AG001")
        .unwrap_or_else(|| panic!("no AG001 notification: {sarif}"));
    assert!(notes_notice["message"]["text"]
        .as_str()
        .unwrap()
        .contains("does not check this kind of file"));

    let (_, html) = run(&[&all[..], &["--format", "html"]].concat());
    assert!(html.contains("AG006"), "html report names the notice");
    assert!(
        html.contains("notes.txt"),
        "html report names the unreadable file"
    );
}

#[test]
fn files_named_one_by_one_share_their_directory_with_its_linked_files() {
    // The directory of the named files is read once for all of them: a linked variables
    // file in it belongs to the unit, a directory named like a file does not.
    let root = std::env::temp_dir().join(format!("aksguard-named-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("env");
    std::fs::create_dir_all(dir.join("notes.tf")).unwrap();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    let main =
        "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  local_account_disabled = var.off\n}\n";
    std::fs::write(dir.join("main.tf"), main).unwrap();
    std::fs::write(dir.join("extra.tf"), "locals {}\n").unwrap();
    std::fs::write(
        root.join("shared/variables.tf"),
        "variable \"off\" {\n  default = false\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared/variables.tf", dir.join("variables.tf")).unwrap();
    let named = |names: &[&str]| {
        let paths: Vec<String> = names
            .iter()
            .map(|n| dir.join(n).to_string_lossy().into_owned())
            .collect();
        let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
        args.extend(["--select", "AKS005"]);
        check(&args)
    };
    let (one_code, one) = named(&["main.tf"]);
    let (both_code, both) = named(&["extra.tf", "main.tf"]);
    let _ = std::fs::remove_dir_all(&root);
    let (line, column) = locate_in(main, "local_account_disabled");
    for (code, json) in [(one_code, &one), (both_code, &both)] {
        assert_eq!(code, 1, "{json}");
        let found: Vec<(String, u64, u64)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(found, vec![("AKS005".to_string(), line, column)], "{json}");
        let path = json["findings"][0]["path"].as_str().unwrap();
        assert!(path.ends_with("env/main.tf"), "{json}");
        assert!(json["errors"].as_array().unwrap().is_empty(), "{json}");
    }
}
