//! What the end-to-end tests share: running the binary for JSON and reading its findings
//! as (rule, path, line, column, resource) rows.
// Each test crate uses only part of this module.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Every `--format` aksguard writes.
pub const FORMATS: [&str; 8] = [
    "human",
    "json",
    "sarif",
    "github",
    "azure-devops",
    "junit",
    "markdown",
    "html",
];

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

/// (rule, path, resource) of a finding: what a test names where the fixture marks the
/// finding's line and column (tests/markers.rs checks those).
pub type Named = (String, String, String);

pub fn named(rule: &str, path: &str, resource: &str) -> Named {
    (rule.to_string(), path.to_string(), resource.to_string())
}

/// (rule, path, resource) of the report's findings that `keep` accepts.
pub fn unplaced(json: &Value, keep: impl Fn(&Value) -> bool) -> BTreeSet<Named> {
    rows(json, keep)
        .into_iter()
        .map(|(rule, path, _, _, resource)| (rule, path, resource))
        .collect()
}

/// The 1-based line and column where `needle` is written in the fixture at `path`
/// (relative to the repository root), for a place a test names that is not a finding's
/// own (a related location, an error, an edit). The needle must occur exactly once.
pub fn locate(path: &str, needle: &str) -> (u64, u64) {
    locate_in(&read_fixture(path), needle)
}

/// As `locate`, for a needle written more than once: its first occurrence after the first
/// occurrence of each anchor in turn.
pub fn locate_after(path: &str, anchors: &[&str], needle: &str) -> (u64, u64) {
    let text = read_fixture(path);
    let find = |from: usize, what: &str| {
        from + text[from..]
            .find(what)
            .unwrap_or_else(|| panic!("`{what}` is not in {path} after {anchors:?}"))
    };
    let mut from = 0;
    for anchor in anchors {
        from = find(from, anchor) + anchor.len();
    }
    let from = find(from, needle);
    position(&text, from)
}

fn read_fixture(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn position(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[line_start..].chars().count() as u64 + 1)
}

/// The 1-based line and column where `needle` is written in `text`, a fixture a test
/// writes itself; it must occur exactly once. Columns count characters.
pub fn locate_in(text: &str, needle: &str) -> (u64, u64) {
    let mut hits = text.match_indices(needle).map(|(at, _)| at);
    let at = hits
        .next()
        .unwrap_or_else(|| panic!("`{needle}` is not in {text}"));
    assert!(
        hits.next().is_none(),
        "`{needle}` is in {text} more than once"
    );
    position(text, at)
}
