//! What the end-to-end tests share: running the binary for JSON and reading its findings
//! as (rule, path, line, column, resource) rows.
// Each test crate uses only part of this module.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// `aksguard check ARGS --format json` from the repository root: exit code and report.
pub fn check(args: &[&str]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run aksguard");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

/// (rule, path, line, column, resource) of a finding.
pub type Row = (String, String, u64, u64, String);

pub fn row(rule: &str, path: &str, line: u64, column: u64, resource: &str) -> Row {
    (
        rule.to_string(),
        path.to_string(),
        line,
        column,
        resource.to_string(),
    )
}

/// The rows of the report's findings that `keep` accepts.
pub fn rows(json: &Value, keep: impl Fn(&Value) -> bool) -> BTreeSet<Row> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| keep(f))
        .map(|f| {
            row(
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["resource"].as_str().unwrap(),
            )
        })
        .collect()
}

/// The rows of every finding, suppressed ones included.
pub fn findings(json: &Value) -> BTreeSet<Row> {
    rows(json, |_| true)
}

/// The first finding of `rule` in the report.
pub fn first_of<'a>(json: &'a Value, rule: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {json}"))
}
