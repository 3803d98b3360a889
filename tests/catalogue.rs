//! The rule documents (`rules/<ID>.md`, read into the rule table at build time) are the one
//! source of a rule's metadata; every other list of rules is checked against them here, so
//! a step forgotten when adding a rule fails a test named after it (CONTRIBUTING.md).

use aksguard::catalogue;
use aksguard::rules::{self, Surface, ALL, CATALOGUE_IDS, ENGINE_DIAGNOSTICS};
use std::collections::{BTreeMap, BTreeSet};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The rows of the Markdown table whose header row is `header`, split into trimmed cells.
fn table(text: &str, header: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines().skip_while(|l| l.trim() != header);
    assert!(lines.next().is_some(), "README.md has no table `{header}`");
    lines
        .skip(1) // |---|---|
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// Every document of `rules/` that is a rule over the model has its check in `rules::ALL`
/// (its `.rs` file declared in `src/rules/mod.rs` and registered in `ALL`), once, in
/// catalogue order.
#[test]
fn every_rule_document_is_registered_in_all() {
    let documented: Vec<&str> = rules::catalogue::DOCUMENTED
        .iter()
        .filter(|m| !m.engine)
        .map(|m| m.id)
        .collect();
    let registered: Vec<&str> = ALL.iter().map(|r| r.id).collect();
    let missing: Vec<&&str> = documented
        .iter()
        .filter(|id| !registered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "documented in rules/ but not registered in `ALL` (src/rules/mod.rs): {missing:?}"
    );
    assert_eq!(
        registered, documented,
        "`ALL` must list each rule once, in catalogue order (AKS, ACR, LZ, DEF, K8S, BLD; by number)"
    );
    for rule in ALL {
        assert!(!rule.engine, "{} is an engine diagnostic in `ALL`", rule.id);
    }
}

#[test]
fn catalogue_ids_are_the_rules_then_the_engine_diagnostics() {
    let expected: Vec<&str> = ALL
        .iter()
        .map(|r| r.id)
        .chain(ENGINE_DIAGNOSTICS.iter().map(|d| d.id))
        .collect();
    assert_eq!(CATALOGUE_IDS, expected.as_slice());
    let ag: Vec<&str> = ENGINE_DIAGNOSTICS.iter().map(|d| d.id).collect();
    assert_eq!(
        ag,
        ["AG001", "AG002", "AG003", "AG004", "AG005", "AG006", "AG007"]
    );
    // The engine's handles, one per engine document, named after the slug.
    let handles = [
        catalogue::PARSE_ERROR,
        catalogue::UNUSED_SUPPRESSION,
        catalogue::UNRESOLVED_VALUE,
        catalogue::INVALID_CONFIG,
        catalogue::MODULE_NOT_EVALUATED,
        catalogue::FILE_NOT_CHECKED,
        catalogue::FINDING_LIMIT,
    ];
    let codes: Vec<(&str, &str)> = handles.iter().map(|d| (d.id(), d.slug())).collect();
    let documented: Vec<(&str, &str)> = ENGINE_DIAGNOSTICS.iter().map(|d| (d.id, d.slug)).collect();
    assert_eq!(codes, documented);
    assert_eq!(codes[0], ("AG001", "parse-error"));
    assert_eq!(codes[4], ("AG005", "module-not-evaluated"));
    for handle in handles {
        assert_eq!(handle.severity(), handle.meta().severity);
        assert!(handle.meta().engine);
    }
}

/// README "Rules": one row per documented rule and engine diagnostic, in catalogue order,
/// with the document's slug and severity (the first word; the README may add when it
/// changes).
#[test]
fn readme_rule_table_matches_the_docs() {
    let readme = readme();
    let rows = table(&readme, "| ID | slug | severity | fires when |");
    for cells in &rows {
        assert!(
            !cells.iter().any(|c| c.contains("TODO")),
            "README.md \"Rules\": the row of {} still says TODO",
            cells[0]
        );
    }
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|cells| {
            let severity = cells[2].split([' ', ',']).next().unwrap_or("").to_string();
            (cells[0].clone(), cells[1].clone(), severity)
        })
        .collect();
    let want: Vec<(String, String, String)> = rules::catalogue::DOCUMENTED
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.slug.to_string(),
                m.severity.as_str().to_string(),
            )
        })
        .collect();
    for row in &want {
        assert!(
            got.contains(row),
            "README.md \"Rules\" has no row `| {} | {} | {} | ... |` (rules/{}.md)",
            row.0,
            row.1,
            row.2,
            row.0
        );
    }
    assert_eq!(got, want, "README.md \"Rules\" table, in catalogue order");
}

/// `AKS001–AKS008` -> AKS001, ..., AKS008.
fn expand(cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in cell.split(", ") {
        match item.split_once('–') {
            Some((first, last)) => {
                let family = first.trim_end_matches(|c: char| c.is_ascii_digit());
                let from: u32 = first[family.len()..].parse().unwrap();
                let to: u32 = last[family.len()..].parse().unwrap();
                out.extend((from..=to).map(|n| format!("{family}{n:03}")));
            }
            None => out.push(item.to_string()),
        }
    }
    out
}

/// README "Attack surfaces": each rule under the surface its document names.
#[test]
fn readme_surface_table_matches_the_docs() {
    let readme = readme();
    let mut got: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for cells in table(&readme, "| surface | rules |") {
        let surface = Surface::parse(&cells[0])
            .unwrap_or_else(|| panic!("README.md: `{}` is not a surface", cells[0]));
        got.insert(
            surface.as_str().to_string(),
            expand(&cells[1]).into_iter().collect(),
        );
    }
    let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for meta in rules::catalogue::DOCUMENTED {
        want.entry(meta.surface.as_str().to_string())
            .or_default()
            .insert(meta.id.to_string());
    }
    assert_eq!(got, want, "README.md \"Attack surfaces\" table");
}

#[test]
fn the_table_is_what_the_documents_say() {
    let aks005 = rules::find("AKS005").unwrap();
    assert_eq!(aks005.slug, "local-accounts-enabled");
    assert_eq!(aks005.severity.as_str(), "high");
    assert_eq!(aks005.surface, Surface::Cluster);
    assert_eq!(aks005.peers, ["CKV_AZURE_141", "Azure Policy 993c2fcd"]);
    assert_eq!(aks005.fix, rules::FixKind::Automatic);
    assert!(aks005.doc.starts_with("# AKS005 local-accounts-enabled\n"));
    let acr001 = rules::find("ACR001").unwrap();
    assert_eq!(acr001.peers, ["KICS dda11a20", "Azure Policy e8eef0a8"]);
    assert_eq!(acr001.fix, rules::FixKind::None);
    assert_eq!(
        rules::find("ACR003").unwrap().fix,
        rules::FixKind::AlwaysUnsafe
    );
    assert!(rules::find("AKS002").unwrap().peers.is_empty());
    let k8s001 = rules::find("K8S001").unwrap();
    assert_eq!(k8s001.formats, [rules::InputFormat::Kubernetes]);
    let bld007 = rules::find("BLD007").unwrap();
    assert_eq!(bld007.formats, [rules::InputFormat::Pipeline]);
    let ag001 = rules::catalogue::find("parse-error").unwrap();
    assert!(ag001.engine && ag001.surface == Surface::Engine);
    assert_eq!(ag001.severity.as_str(), "error");
}

/// `scripts/new-rule` writes a check with TODOs (its message and help): each one is a step
/// left to do.
#[test]
fn rule_sources_have_no_todo_left() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        assert!(
            !text.contains("TODO"),
            "{} still has TODOs to complete (CONTRIBUTING.md)",
            entry.path().display()
        );
    }
}
