//! The build surface end to end: Dockerfiles and CI pipelines under testdata/build, linted
//! by the binary, findings compared as (rule, path, line, column, resource).

mod common;

use common::{check, row, rows, Row};
use std::collections::BTreeSet;

const ROOT: &str = "testdata/build";

fn build_rows(rule: &str) -> BTreeSet<Row> {
    let (code, json) = check(&[ROOT]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    rows(&json, |f| f["rule"] == rule && f["suppressed"] == false)
}

fn stage(path: &str, stage: &str) -> String {
    format!("Dockerfile:{ROOT}/{path}#{stage}")
}

#[test]
fn bld001_final_stage_user() {
    // stages/: the builder runs as root but the final stage sets USER 10001: quiet.
    // root-again/: USER root after USER app in the final stage.
    assert_eq!(
        build_rows("BLD001"),
        BTreeSet::from([row(
            "BLD001",
            "testdata/build/root-again/Dockerfile",
            4,
            1,
            &stage("root-again/Dockerfile", "0"),
        )])
    );
}

#[test]
fn bld003_registry_patterns_match_whole_labels() {
    // evilazurecr.io is not *.azurecr.io; scratch, stage references and MCR are fine.
    assert_eq!(
        build_rows("BLD003"),
        BTreeSet::from([row(
            "BLD003",
            "testdata/build/lookalike/Containerfile",
            1,
            6,
            &stage("lookalike/Containerfile", "base"),
        )])
    );
}

#[test]
fn bld004_resolves_from_arg_default() {
    // FROM ${BASE} takes the ARG default (a tag, no digest); scratch and `FROM builder` are
    // not registry images.
    let (_, json) = check(&[ROOT]);
    let found = rows(&json, |f| f["rule"] == "BLD004");
    assert_eq!(
        found,
        BTreeSet::from([row(
            "BLD004",
            "testdata/build/stages/Dockerfile",
            3,
            32,
            &stage("stages/Dockerfile", "builder"),
        )])
    );
    let finding = common::first_of(&json, "BLD004");
    assert_eq!(finding["severity"], "medium");
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("mcr.microsoft.com/oss/go/microsoft/golang:1.22"));
    assert_eq!(finding["related"][0]["line"], 2, "{finding}");
}

#[test]
fn bld_findings_in_sarif_and_annotations() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/build/root-again", "--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("::error file=testdata/build/root-again/Dockerfile,line=4,col=1"),
        "{text}"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/build/root-again", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "BLD001");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(4), Some(1))
    );
}

#[test]
fn broken_dockerfile_is_a_parse_error_and_the_scan_goes_on() {
    let dir = std::env::temp_dir().join(format!("aksguard-build-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM ubuntu\nRUNN echo\nRUN <<EOF\nnever closed\n",
    )
    .unwrap();
    std::fs::write(dir.join("b/Dockerfile"), "FROM ubuntu:24.04\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(&dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{json}");
    let errors: Vec<(String, u64, u64)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("Dockerfile".to_string(), 2, 1),
            ("Dockerfile".to_string(), 3, 5)
        ]
    );
    let found = rows(&json, |f| f["rule"] == "BLD004");
    assert!(found.contains(&row(
        "BLD004",
        "b/Dockerfile",
        1,
        6,
        "Dockerfile:b/Dockerfile#0"
    )));
    let _ = std::fs::remove_dir_all(&dir);
}
