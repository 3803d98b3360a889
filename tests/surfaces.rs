//! Attack surfaces: every rule has one (in its document), `aksguard rules` and SARIF show
//! it, and `--select` / `--ignore` / the configuration accept `surface:<name>`.
//! testdata/example marks where the findings named here are reported (tests/markers.rs).

mod common;

use common::{check, named, unplaced};
use std::process::Command;

fn aksguard(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("run aksguard")
}

#[test]
fn every_rule_and_engine_diagnostic_has_a_surface() {
    use aksguard::rules::{Surface, ALL, CATALOGUE_IDS, ENGINE_DIAGNOSTICS};
    for rule in ALL {
        assert!(
            rule.surface != Surface::Engine,
            "{} is a rule over the model on the engine surface",
            rule.id
        );
    }
    for diagnostic in ENGINE_DIAGNOSTICS {
        assert_eq!(diagnostic.surface, Surface::Engine, "{}", diagnostic.id);
    }
    for id in CATALOGUE_IDS {
        assert!(aksguard::rules::surface(id).is_some(), "{id}");
    }
    // Each of the guidance's five surfaces is guarded by at least one rule.
    for surface in &Surface::ALL[..5] {
        assert!(ALL.iter().any(|r| r.surface == *surface), "{surface:?}");
    }
}

#[test]
fn rules_and_rule_show_the_surface() {
    let listing = String::from_utf8(aksguard(&["rules"]).stdout).unwrap();
    let aks015 = listing.lines().find(|l| l.starts_with("AKS015")).unwrap();
    assert_eq!(aks015.split_whitespace().nth(3), Some("node"), "{aks015}");
    let ag005 = listing.lines().find(|l| l.starts_with("AG005")).unwrap();
    assert_eq!(ag005.split_whitespace().nth(3), Some("engine"), "{ag005}");
    let doc = String::from_utf8(aksguard(&["rule", "ACR004"]).stdout).unwrap();
    assert!(
        doc.lines()
            .nth(2)
            .unwrap()
            .contains("**Surface:** registry"),
        "{doc}"
    );
}

#[test]
fn select_surface_keeps_only_that_surface() {
    let (code, json) = check(&["testdata/example", "--select", "surface:node"]);
    assert_eq!(code, 1);
    let arm = "testdata/example/arm/aks.json";
    let tf = "testdata/example/terraform/main.tf";
    let cluster = "azurerm_kubernetes_cluster.aks";
    let expected = [
        named(
            "AKS016",
            arm,
            "Microsoft.ContainerService/managedClusters/online-aks",
        ),
        named("AKS012", tf, cluster),
        named("AKS016", tf, cluster),
    ];
    assert_eq!(unplaced(&json, |_| true), expected.into_iter().collect());
    // Without the selector, a cluster finding is there on the same file.
    let (_, all) = check(&["testdata/example"]);
    assert!(unplaced(&all, |_| true).contains(&named("AKS005", tf, cluster)));

    // An ID prefix is more specific than a surface: it wins over it.
    let (_, json) = check(&[
        "testdata/example",
        "--select",
        "surface:node",
        "--ignore",
        "AKS016",
    ]);
    assert_eq!(
        unplaced(&json, |_| true),
        [named("AKS012", tf, cluster)].into_iter().collect()
    );
    let (_, json) = check(&["testdata/example", "--ignore", "surface:cluster"]);
    assert!(!unplaced(&json, |_| true).iter().any(|f| f.0 == "AKS005"));
    assert!(unplaced(&json, |_| true).contains(&named("AKS012", tf, cluster)));
}

#[test]
fn an_unknown_surface_is_a_usage_error_with_a_suggestion() {
    let output = aksguard(&["check", "testdata/example", "--select", "surface:nodes"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AG004"), "{stderr}");
    assert!(stderr.contains("did you mean `surface:node`?"), "{stderr}");

    let dir = std::env::temp_dir().join(format!("aksguard-surface-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = "ignore = [\"surface:regsitry\"]\n";
    std::fs::write(dir.join("aksguard.toml"), config).unwrap();
    std::fs::write(dir.join("main.tf"), "").unwrap();
    let output = aksguard(&["check", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AG004"), "{stderr}");
    let (line, column) = common::locate_in(config, "\"surface:regsitry\"");
    assert!(
        stderr.contains(&format!("aksguard.toml:{line}:{column}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `surface:registry`?"),
        "{stderr}"
    );
}

#[test]
fn sarif_tags_carry_the_surface() {
    let output = aksguard(&["check", "testdata/example", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let tags =
        |id: &str| rules.iter().find(|r| r["id"] == id).unwrap()["properties"]["tags"].clone();
    assert_eq!(
        tags("AKS016"),
        serde_json::json!(["security", "surface:node"])
    );
    assert_eq!(
        tags("LZ001"),
        // The rule's references follow its surface (README "References").
        serde_json::json!(["security", "surface:registry", "mcsb/DS-6"])
    );
}
