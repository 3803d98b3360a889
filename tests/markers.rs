//! End-to-end expectations written in the fixtures themselves: a comment line after the
//! line a finding (or an AG001 error) is reported on names its rule, and where the comment
//! starts is the column:
//!
//! ```hcl
//!   local_account_disabled = false
//!   # <- AKS005
//! ```
//!
//! `# ^ AKS005` puts the column at the caret instead, and `# <- BLD001 column 6` states it.
//! `//` works where `#` is not a comment (ARM JSON, Bicep). Terraform JSON (`.tf.json`)
//! has no comments, but Terraform ignores a `"//"` property in a block body, so there the
//! marker is that property, and where its key's quote starts is the column:
//!
//! ```json
//!         "local_account_disabled": false,
//!         "//": "<- AKS005",
//! ```
//!
//! A finding an inline suppression silences is marked `# <- BLD005 suppressed`. Several
//! markers may follow one line. Each directory of `FIXTURES` is checked by the binary, as
//! a user runs it, and its report must hold exactly the marked findings and errors: a
//! missing one and an unexpected one both fail, by file and line.

mod common;

use common::check;
use std::collections::BTreeSet;
use std::path::Path;

/// Fixture directories whose every finding is marked, and the arguments they are checked
/// with (an `aksguard.toml` in the directory applies as usual). Where a `--select` names
/// the rules a directory is about, only those are marked there. A directory inside another
/// one of the list is checked by its own entry only.
const FIXTURES: &[(&str, &[&str])] = &[
    ("testdata/tfeval", &[]),
    ("testdata/broken", &["--no-fail-on-parse-error"]),
    ("testdata/modules", &[]),
    ("testdata/modules_recursive", &[]),
    ("testdata/modules_broken", &[]),
    ("testdata/parse_once", &[]),
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
    (
        "testdata/bicep/module_targets",
        &["--select", "AKS005,AG001,AG005"],
    ),
    ("testdata/bicep/broken", &[]),
    ("testdata/tfjson", &["--select", "AKS002,AKS005,AKS007"]),
    ("testdata/bicep/broken-twin", &["--select", "ACR004"]),
    (
        "testdata/bicep/registry/app",
        &["--select", "AKS008,AKS005"],
    ),
    ("testdata/build", &[]),
    ("testdata/aks015/keyed", &["--select", "AKS015"]),
    ("testdata/twins/quickstart", &["--select", "AKS005,ACR004"]),
    ("testdata/twins/symbolic", &["--select", "AKS005,ACR004"]),
    ("testdata/twins/alone", &["--select", "AKS005,ACR004"]),
    ("testdata/twins/different", &["--select", "AKS005,ACR004"]),
    ("testdata/repeated_keys", &["--select", "AKS005,ACR004"]),
    ("testdata/accepted_syntax", &["--select", "K8S001"]),
    ("testdata/not_evaluated", &[]),
    ("testdata/audit_logs/tf_other_file", &["--select", "AKS019"]),
    (
        "testdata/audit_logs/tf_apiserver_only",
        &["--select", "AKS019"],
    ),
    ("testdata/audit_logs/tf_module", &["--select", "AKS019"]),
    ("testdata/audit_logs/arm_nested", &["--select", "AKS019"]),
    ("testdata/audit_logs/bicep_module", &["--select", "AKS019"]),
    (
        "testdata/audit_logs/unknown_target",
        &["--select", "AKS019,AG003", "--unknown", "warn"],
    ),
    ("testdata/places/terraform", &["--select", "AKS013,AKS018"]),
    (
        "testdata/places/names",
        &["--select", "ACR004,AKS017,K8S001"],
    ),
    ("testdata/named/terraform", &["--select", "AKS005"]),
    ("testdata/named/bicep", &["--select", "ACR004"]),
    ("testdata/suppress", &[]),
    (
        "testdata/plan_oracle",
        &["--select", "ACR002,AKS005,AKS007,AKS012,AKS002"],
    ),
    (
        "testdata/plan_named/root",
        &[
            "--plan",
            "testdata/plan_named/plans/tfplan.json",
            "--select",
            "AKS005",
        ],
    ),
    ("testdata/k8s015", &["--select", "K8S015"]),
    ("testdata/landing-zones", &["--select", "ACR001,LZ002"]),
    (
        "testdata/helm",
        &["--select", "K8S017,K8S010,K8S011,K8S001"],
    ),
    ("testdata/k8s018", &["--select", "K8S018"]),
    (
        "testdata/k8s018/unknown",
        &["--select", "K8S018,AG003", "--unknown", "warn"],
    ),
    // The demo of the README and the editor tests: only what tests name is marked, so that
    // it stays a readable example.
    (
        "testdata/example",
        &["--select", "surface:node,AKS003,AKS005,AKS006"],
    ),
];

/// (rule, path, line, column, suppressed)
type Expectation = (String, String, u64, u64, bool);

/// What a marker line says: the rule, the column, and whether the finding is suppressed.
#[derive(Debug, PartialEq)]
struct Marker {
    rule: String,
    column: u64,
    suppressed: bool,
}

/// The text of a `"//": "TEXT"` property (Terraform JSON's comment), trailing comma allowed.
fn json_comment(rest: &str) -> Option<&str> {
    let value = rest
        .strip_prefix("\"//\"")?
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    value.trim_end().trim_end_matches(',').strip_suffix('"')
}

/// The marker of a line, or None for any other line.
fn marker(line: &str) -> Option<Marker> {
    let start = line.len() - line.trim_start().len();
    let rest = &line[start..];
    let body = rest
        .strip_prefix('#')
        .or_else(|| rest.strip_prefix("//"))
        .or_else(|| json_comment(rest))?
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
    let mut suppressed = false;
    while let Some(word) = words.next() {
        match word {
            "column" => column = words.next()?.parse().ok()?,
            "suppressed" => suppressed = true,
            _ => panic!(
                "`{word}` in the marker `{line}`: only `column N` and `suppressed` follow the rule"
            ),
        }
    }
    Some(Marker {
        rule: rule.to_string(),
        column,
        suppressed,
    })
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
                Some(Marker {
                    rule,
                    column,
                    suppressed,
                }) => {
                    let line = target.unwrap_or_else(|| {
                        panic!("{name}:{}: a marker needs a line above it", index + 1)
                    });
                    out.insert((rule, name.clone(), line, column, suppressed));
                }
                None => target = Some(index as u64 + 1),
            }
        }
    }
}

fn reported(json: &serde_json::Value) -> BTreeSet<Expectation> {
    let findings = json["findings"].as_array().unwrap().iter();
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
                f["suppressed"] == true,
            )
        })
        .collect()
}

fn describe((rule, path, line, column, suppressed): &Expectation) -> String {
    let suppressed = if *suppressed { " (suppressed)" } else { "" };
    format!("{path}:{line}:{column} {rule}{suppressed}")
}

#[test]
fn fixtures_report_exactly_their_markers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for (dir, args) in FIXTURES {
        // A directory inside this one that has its own entry (other arguments) is left to it.
        let inner: Vec<String> = FIXTURES
            .iter()
            .filter(|(other, _)| other.starts_with(&format!("{dir}/")))
            .map(|(other, _)| format!("{other}/"))
            .collect();
        let outside = |e: &Expectation| !inner.iter().any(|i| e.1.starts_with(i));
        let mut want = BTreeSet::new();
        expectations(&root.join(dir), dir, &mut want);
        want.retain(outside);
        let mut command = vec![*dir];
        command.extend_from_slice(args);
        let (_, json) = check(&command);
        let mut got = reported(&json);
        got.retain(outside);
        for missing in want.difference(&got) {
            failures.push(format!("missing    {}", describe(missing)));
        }
        for unexpected in got.difference(&want) {
            failures.push(format!("unexpected {}", describe(unexpected)));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn markers_are_read_as_documented() {
    let at = |rule: &str, column| {
        Some(Marker {
            rule: rule.into(),
            column,
            suppressed: false,
        })
    };
    assert_eq!(marker("  # <- AKS005"), at("AKS005", 3));
    assert_eq!(marker("// <- AG001"), at("AG001", 1));
    assert_eq!(marker("#      ^ BLD004"), at("BLD004", 8));
    assert_eq!(marker("# <- BLD001 column 6"), at("BLD001", 6));
    assert_eq!(marker("    // ^ K8S001 column 12"), at("K8S001", 12));
    assert_eq!(marker(r#"        "//": "<- AKS005","#), at("AKS005", 9));
    assert_eq!(marker(r#"  "//" : "^ AKS005""#), at("AKS005", 11));
    assert_eq!(
        marker("# <- BLD005 suppressed"),
        Some(Marker {
            rule: "BLD005".into(),
            column: 1,
            suppressed: true
        })
    );
    assert_eq!(marker("# a comment <- AKS005"), None);
    assert_eq!(marker("# <- not a rule"), None);
    assert_eq!(marker("x = 1 # <- AKS005"), None);
    assert_eq!(marker(r#""name": "<- AKS005","#), None);
    assert_eq!(marker(r#""//": "a comment","#), None);
}

/// The harness fails both ways: a marker nothing reports, and a finding nothing marks. A
/// `"//"` marker in Terraform JSON designates the property above it, which Terraform reads.
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
    std::fs::write(
        dir.join("registry.tf.json"),
        r#"{
  "resource": {
    "azurerm_container_registry": {
      "json": {
        "//": "a registry written as JSON",
        "name": "acrjson",
        "sku": "Premium",
        "admin_enabled": true,
        "//": "<- ACR004"
      }
    }
  }
}
"#,
    )
    .unwrap();
    let display = dir.to_string_lossy().into_owned();
    let mut want = BTreeSet::new();
    expectations(&dir, &display, &mut want);
    let (_, json) = check(&[&display, "--select", "ACR004,ACR001"]);
    let got = reported(&json);
    std::fs::remove_dir_all(&dir).ok();
    let missing: Vec<_> = want.difference(&got).map(describe).collect();
    let unexpected: Vec<_> = got.difference(&want).map(describe).collect();
    let main = format!("{display}/main.tf");
    assert_eq!(missing, [format!("{main}:4:3 ACR005")], "{got:?}");
    assert_eq!(unexpected.len(), 2, "{unexpected:?}");
    assert!(
        unexpected.iter().all(|u| u.ends_with(" ACR001")),
        "{unexpected:?}"
    );
    assert!(want.contains(&("ACR004".into(), main, 4, 3, false)));
    assert!(want.contains(&(
        "ACR004".into(),
        format!("{display}/registry.tf.json"),
        8,
        9,
        false
    )));
    assert!(got.contains(&(
        "ACR004".into(),
        format!("{display}/registry.tf.json"),
        8,
        9,
        false
    )));
}
