//! End-to-end expectations written in the fixtures themselves: a comment line after the
//! line a finding (or an AG001 error) is reported on names its rule, and where the comment
//! starts is the column:
//!
//! ```hcl
//!   local_account_disabled = false
//!   # <- AKS005
//! ```
//!
//! `# ^ AKS005` puts the column at the caret instead, and `# <- BLD001 column 6` states it
//! (a Dockerfile comment must start the line). `//` works where `#` is not a comment (ARM
//! JSON, Bicep). Several markers may follow one line. Each directory of `FIXTURES` is
//! checked by the binary, as a user runs it, and its report must hold exactly the marked
//! findings and errors: a missing one and an unexpected one both fail, by file and line.

mod common;

use common::check;
use std::collections::BTreeSet;
use std::path::Path;

/// Fixture directories whose every finding is marked, and the arguments they are checked
/// with (an `aksguard.toml` in the directory applies as usual).
const FIXTURES: &[(&str, &[&str])] = &[
    ("testdata/tfeval", &[]),
    ("testdata/broken", &["--no-fail-on-parse-error"]),
    ("testdata/modules", &[]),
    ("testdata/modules_recursive", &[]),
    ("testdata/modules_broken", &[]),
    ("testdata/dynamic_switch", &[]),
    ("testdata/varfile", &[]),
    ("testdata/tfvars_json", &[]),
    ("testdata/armparams/named", &[]),
    ("testdata/armparams/generic", &[]),
    ("testdata/armparams/cli", &[]),
    ("testdata/unknown", &[]),
    ("testdata/optional_types", &[]),
    ("testdata/arm_v2", &[]),
    ("testdata/arm_expression_properties", &[]),
    ("testdata/tfinstalled", &[]),
    ("testdata/bicep/params", &[]),
    ("testdata/bicep/modules", &[]),
    ("testdata/bicep/loops", &[]),
    ("testdata/bicep/twin", &[]),
    ("testdata/bicep/jsonparams", &[]),
    ("testdata/bicep/json_module", &[]),
    ("testdata/bicep/module_case", &[]),
    ("testdata/bicep/module_outputs", &[]),
    ("testdata/bicep/parenthesized", &[]),
];

/// (rule, path, line, column)
type Expectation = (String, String, u64, u64);

/// The marker of a comment line: (rule, column), or None for any other line.
fn marker(line: &str) -> Option<(String, u64)> {
    let start = line.len() - line.trim_start().len();
    let rest = &line[start..];
    let body = rest
        .strip_prefix('#')
        .or_else(|| rest.strip_prefix("//"))?
        .trim_start();
    let (mut column, body) = if let Some(body) = body.strip_prefix("<-") {
        (start as u64 + 1, body)
    } else if let Some(body) = body.strip_prefix('^') {
        (line.find('^').unwrap() as u64 + 1, body)
    } else {
        return None;
    };
    let mut words = body.split_whitespace();
    let rule = words.next()?;
    let is_id = rule.len() > 3
        && rule
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && rule.bytes().any(|b| b.is_ascii_digit());
    if !is_id {
        return None;
    }
    if words.next() == Some("column") {
        column = words.next()?.parse().ok()?;
    }
    Some((rule.to_string(), column))
}

/// Every marker under `dir`: the finding it expects is on the nearest line above it that is
/// not itself a marker.
fn expectations(dir: &Path, display: &str, out: &mut BTreeSet<Expectation>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = format!("{display}/{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            expectations(&path, &name, out);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut target = None;
        for (index, line) in text.lines().enumerate() {
            match marker(line) {
                Some((rule, column)) => {
                    let line = target.unwrap_or_else(|| {
                        panic!("{name}:{}: a marker needs a line above it", index + 1)
                    });
                    out.insert((rule, name.clone(), line, column));
                }
                None => target = Some(index as u64 + 1),
            }
        }
    }
}

fn reported(json: &serde_json::Value) -> BTreeSet<Expectation> {
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] != true);
    let errors = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["line"].is_u64());
    findings
        .chain(errors)
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

#[test]
fn fixtures_report_exactly_their_markers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for (dir, args) in FIXTURES {
        let mut want = BTreeSet::new();
        expectations(&root.join(dir), dir, &mut want);
        let mut command = vec![*dir];
        command.extend_from_slice(args);
        let (_, json) = check(&command);
        let got = reported(&json);
        for (rule, path, line, column) in want.difference(&got) {
            failures.push(format!("missing    {path}:{line}:{column} {rule}"));
        }
        for (rule, path, line, column) in got.difference(&want) {
            failures.push(format!("unexpected {path}:{line}:{column} {rule}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn markers_are_read_as_documented() {
    assert_eq!(marker("  # <- AKS005"), Some(("AKS005".into(), 3)));
    assert_eq!(marker("// <- AG001"), Some(("AG001".into(), 1)));
    assert_eq!(marker("#      ^ BLD004"), Some(("BLD004".into(), 8)));
    assert_eq!(marker("# <- BLD001 column 6"), Some(("BLD001".into(), 6)));
    assert_eq!(
        marker("    // ^ K8S001 column 12"),
        Some(("K8S001".into(), 12))
    );
    assert_eq!(marker("# a comment <- AKS005"), None);
    assert_eq!(marker("# <- not a rule"), None);
    assert_eq!(marker("x = 1 # <- AKS005"), None);
}

/// The harness fails both ways: a marker nothing reports, and a finding nothing marks.
#[test]
fn a_missing_and_an_unexpected_finding_both_fail() {
    let dir = std::env::temp_dir().join(format!("aksguard-markers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_container_registry\" \"acr\" {\n  name          = \"acr\"\n  sku           = \"Premium\"\n  admin_enabled = true\n  # <- ACR004\n  # <- ACR005\n}\n",
    )
    .unwrap();
    let display = dir.to_string_lossy().into_owned();
    let mut want = BTreeSet::new();
    expectations(&dir, &display, &mut want);
    let (_, json) = check(&[&display, "--select", "ACR004,ACR001"]);
    let got = reported(&json);
    std::fs::remove_dir_all(&dir).ok();
    let missing: Vec<_> = want.difference(&got).map(|e| e.0.as_str()).collect();
    let unexpected: Vec<_> = got.difference(&want).map(|e| e.0.as_str()).collect();
    assert_eq!(missing, ["ACR005"], "{got:?}");
    assert_eq!(unexpected, ["ACR001"], "{got:?}");
    assert!(want.contains(&("ACR004".into(), format!("{display}/main.tf"), 4, 3)));
}
