//! The scan-wide evaluation budget: many roots that each spend their own budget, loops that
//! copy large literals, and long unknown expressions are bounded for the scan as a whole, and
//! what they leave unevaluated is reported (AG001) while literals stay known.

use crate::harness::{release, Scratch};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const ARM_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// (rule, path) -> the (line, column) of each error or finding with that rule in that file.
fn by_file(json: &Value, key: &str) -> BTreeMap<(String, String), BTreeSet<(u64, u64)>> {
    let mut out: BTreeMap<(String, String), BTreeSet<(u64, u64)>> = BTreeMap::new();
    for f in json[key].as_array().unwrap() {
        out.entry((
            f["rule"].as_str().unwrap().to_string(),
            f["path"].as_str().unwrap().to_string(),
        ))
        .or_default()
        .insert((
            f["line"].as_u64().unwrap_or(0),
            f["column"].as_u64().unwrap_or(0),
        ));
    }
    out
}

fn messages(json: &Value) -> Vec<String> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The roots the scan-wide message counts as having stopped without being listed.
fn unlisted_roots(json: &Value) -> usize {
    messages(json)
        .iter()
        .find_map(|m| {
            let (_, rest) = m.split_once(" more expressions in ")?;
            rest.split_once(" roots ")?.0.parse().ok()
        })
        .unwrap_or(0)
}

/// One Terraform root whose twelve runaway expressions spend its whole budget, beside a
/// cluster written with literals (AKS005 at line 38, column 3).
fn terraform_root() -> String {
    let mut text = String::new();
    for j in 0..12 {
        text += &format!(
            "resource \"terraform_data\" \"r{j}\" {{\n  input = [for x in range(1000) : [for y in range(1000) : y]]\n}}\n"
        );
    }
    text
        + "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  local_account_disabled = false\n}\n"
}

/// An ARM template whose twelve property loops spend its budget (one resource a line, lines
/// 2 to 13), beside a cluster with Kubernetes RBAC off (AKS006 at line 14, at `enableRBAC`).
fn arm_root() -> String {
    let mut resources = Vec::new();
    for j in 0..12 {
        resources.push(format!(
            "{{\"type\": \"Microsoft.Resources/tags\", \"apiVersion\": \"2022-09-01\", \"name\": \"t{j}\", \"properties\": {{\"tags\": {{\"copy\": [{{\"name\": \"p\", \"count\": 800, \"input\": \"[range(0, 800)]\"}}]}}}}}}"
        ));
    }
    resources.push("{\"type\": \"Microsoft.ContainerService/managedClusters\", \"apiVersion\": \"2024-01-01\", \"name\": \"aks\", \"location\": \"westeurope\", \"properties\": {\"enableRBAC\": false}}".to_string());
    format!(
        "{{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [\n{}]}}\n",
        resources.join(",\n")
    )
}

/// A Bicep file whose twelve triple loops spend its budget (each at line 5 + 8j, column 10),
/// beside a cluster with Kubernetes RBAC off (AKS006 at line 101, column 5).
fn bicep_root() -> String {
    let mut text = String::new();
    for j in 0..12 {
        text += &format!(
            "resource t{j} 'Microsoft.Resources/tags@2022-09-01' = {{\n  name: 't{j}'\n  properties: {{\n    tags: {{\n      a: string([for x in range(0, 800): [for y in range(0, 800): [for z in range(0, 800): z]]])\n    }}\n  }}\n}}\n"
        );
    }
    text + "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'aks'\n  location: 'westeurope'\n  properties: {\n    enableRBAC: false\n  }\n}\n"
}

/// Many small roots in every format, each spending its own whole evaluation budget: 16 MiB
/// of them on the release build (before the scan-wide budget: over 30 s for each format
/// alone, an hour of work in all), a few on the debug build. Every root's literal settings
/// are still checked, every root that stopped is listed or counted, and the scan's limit is
/// named.
#[test]
fn many_roots_each_spending_their_budget_are_bounded_together() {
    let scratch = Scratch::new("many-roots");
    let (terraform, arm, bicep) = (terraform_root(), arm_root(), bicep_root());
    let arm_rbac_column = arm.lines().nth(13).unwrap().find("\"enableRBAC\"").unwrap() as u64 + 1;
    let per_format = |text: &str| {
        if release() {
            (16 << 20) / 3 / text.len()
        } else {
            4
        }
    };
    let mut roots = Vec::new();
    for i in 0..per_format(&terraform) {
        let path = format!("tf/r{i}/main.tf");
        scratch.write(&path, &terraform);
        roots.push((path, "AKS005", (38, 3)));
    }
    for i in 0..per_format(&arm) {
        let path = format!("arm/t{i}.json");
        scratch.write(&path, &arm);
        roots.push((path, "AKS006", (14, arm_rbac_column)));
    }
    for i in 0..per_format(&bicep) {
        let path = format!("bicep/b{i}/main.bicep");
        scratch.write(&path, &bicep);
        roots.push((path, "AKS006", (101, 5)));
    }
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005,AKS006,AG001"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{}", json["summary"]);
    let findings = by_file(&json, "findings");
    let errors = by_file(&json, "errors");
    let mut stopped = 0;
    for (path, rule, at) in &roots {
        let found = findings.get(&(rule.to_string(), path.clone()));
        assert!(
            found.is_some_and(|f| f.contains(at)),
            "no {rule} at {path}:{at:?}"
        );
        let Some(stops) = errors.get(&("AG001".to_string(), path.clone())) else {
            continue;
        };
        stopped += 1;
        // Each listed stop names an expression of the root.
        for (line, column) in stops {
            let expected = if path.ends_with(".tf") {
                line % 3 == 2 && *line <= 35 && *column == 11
            } else if path.ends_with(".json") {
                (2..=13).contains(line)
            } else {
                line % 8 == 5 && *line <= 93 && *column == 10
            };
            assert!(expected, "AG001 at {path}:{line}:{column}");
        }
    }
    // Every root stopped somewhere: listed, or counted in the scan's last message.
    assert_eq!(
        stopped + unlisted_roots(&json),
        roots.len(),
        "{}",
        json["summary"]
    );
    assert!(
        messages(&json)
            .iter()
            .any(|m| m.contains("the scan's evaluation budget")),
        "{:?}",
        &messages(&json)[..5]
    );
}

/// Loops that copy a large literal: before the scan kept their copies, a 3 MB root (three
/// blocks of 1,000 instances of a 1 MB literal) asked for 3 GB and aborted. The copies stop
/// at what the scan keeps, reported where they stop; the first instance of every block is
/// still checked.
#[test]
fn loops_copying_large_literals_are_bounded() {
    let scratch = Scratch::new("literal-copies");
    let big = "x".repeat(1 << 20);
    let mut tf = String::new();
    for j in 0..3 {
        tf += &format!(
            "resource \"azurerm_kubernetes_cluster\" \"c{j}\" {{\n  count = 1000\n  dns_prefix = \"{big}\"\n  local_account_disabled = false\n}}\n"
        );
    }
    scratch.write("tf/main.tf", &tf);
    let bicep = format!(
        "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = [for i in range(0, 800): {{\n  name: 'aks${{i}}'\n  location: 'westeurope'\n  properties: {{\n    dnsPrefix: '{big}'\n    enableRBAC: false\n  }}\n}}]\n"
    );
    scratch.write("bicep/main.bicep", &bicep);
    let arm = format!(
        "{{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [\n{{\"type\": \"Microsoft.ContainerService/managedClusters\", \"apiVersion\": \"2024-01-01\", \"name\": \"[concat('aks', copyIndex())]\", \"location\": \"westeurope\", \"copy\": {{\"name\": \"c\", \"count\": 800}},\n\"properties\": {{\"dnsPrefix\": \"{big}\",\n\"enableRBAC\": false}}}}]}}\n"
    );
    scratch.write("arm/main.json", &arm);
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005,AKS006,AG001"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{}", json["summary"]);
    assert!(run.max_rss < 1 << 30, "{} MiB", run.max_rss >> 20);
    let findings = by_file(&json, "findings");
    let errors = by_file(&json, "errors");
    // The first instance of every block is checked.
    for (rule, path, at) in [
        ("AKS005", "tf/main.tf", (4, 3)),
        ("AKS005", "tf/main.tf", (9, 3)),
        ("AKS005", "tf/main.tf", (14, 3)),
        ("AKS006", "bicep/main.bicep", (6, 5)),
        ("AKS006", "arm/main.json", (4, 1)),
    ] {
        let found = findings.get(&(rule.to_string(), path.to_string()));
        assert!(
            found.is_some_and(|f| f.contains(&at)),
            "no {rule} at {path}:{at:?}"
        );
    }
    // Where the copies stop is said, at the loop's block.
    let copies: Vec<String> = messages(&json)
        .into_iter()
        .filter(|m| m.contains("is not copied further"))
        .collect();
    assert!(!copies.is_empty(), "{:?}", messages(&json));
    let stops: BTreeSet<(String, (u64, u64))> = errors
        .iter()
        .flat_map(|((_, path), places)| places.iter().map(move |p| (path.clone(), *p)))
        .collect();
    let at_a_block = stops.iter().any(|(path, (line, column))| {
        path == "tf/main.tf" && [1, 6, 11].contains(line) && *column == 1
            || path == "bicep/main.bicep" && (*line, *column) == (1, 14)
            || path == "arm/main.json" && *line == 2
    });
    assert!(at_a_block, "{stops:?}");
}

/// A megabyte-long expression that is unknown, evaluated once per instance of a loop: each
/// instance used to carry the whole text (1 GB a root, three roots abort); it carries at
/// most 1 KiB of it.
#[test]
fn long_unknown_expressions_are_not_copied_whole() {
    let scratch = Scratch::new("unknown-text");
    let root = format!(
        "resource \"azurerm_kubernetes_cluster\" \"c\" {{\n  count = 1000\n  dns_prefix = data.azurerm_client_config.c.tenant_id == \"{}\" ? \"a\" : \"b\"\n  local_account_disabled = false\n}}\n",
        "x".repeat(1 << 20)
    );
    let roots = if release() { 15 } else { 3 };
    for i in 0..roots {
        scratch.write(&format!("r{i}/main.tf"), &root);
    }
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005,AG001"]);
    let json = run.json();
    assert!(run.max_rss < 512 << 20, "{} MiB", run.max_rss >> 20);
    assert_eq!(run.code, 1, "{}", json["errors"]);
    let findings = by_file(&json, "findings");
    for i in 0..roots {
        let path = format!("r{i}/main.tf");
        let found = findings.get(&("AKS005".to_string(), path.clone()));
        assert!(
            found.is_some_and(|f| f.contains(&(4, 3))),
            "no AKS005 at {path}"
        );
    }
}

const BICEP_CLUSTER: &str = "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'aks'\n  location: 'westeurope'\n  properties: {\n    enableRBAC: false\n  }\n}\n";

/// A Bicep file just under the 500,000-token limit: a syntax tree of about 100 MB.
fn near_limit_bicep() -> String {
    format!("var x = {}1\n{BICEP_CLUSTER}", "1+".repeat(249_900))
}

/// 16 MiB of Bicep files near the token limit (32 of them, a few on the debug build): the
/// scan kept every syntax tree from outlining to evaluation (3 GB, over the limit); it keeps
/// a bounded number and parses the others again when it evaluates them.
#[test]
fn many_near_limit_bicep_files_are_not_all_kept() {
    let scratch = Scratch::new("bicep-trees");
    let text = near_limit_bicep();
    let files = if release() {
        (16 << 20) / text.len()
    } else {
        4
    };
    for i in 0..files {
        scratch.write(&format!("f{i}/main.bicep"), &text);
    }
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS006,AG001"]);
    let json = run.json();
    assert_eq!(run.code, 1, "{}", json["errors"]);
    assert!(run.max_rss < 1 << 30, "{} MiB", run.max_rss >> 20);
    let findings = by_file(&json, "findings");
    for i in 0..files {
        let path = format!("f{i}/main.bicep");
        let found = findings.get(&("AKS006".to_string(), path.clone()));
        assert!(
            found.is_some_and(|f| f.contains(&(6, 5))),
            "no AKS006 at {path}"
        );
    }
}

/// A root that calls large module files many times: a module whose tree the scan did not
/// keep is parsed again for each call, which past the first is work charged like
/// evaluation, so the calls past the budget are not followed (AG005, at the module
/// statement) instead of parsing 100 MB trees for minutes. The first call of each file is
/// followed, and the root's own literals are still checked.
#[test]
fn calling_large_modules_many_times_is_bounded() {
    let scratch = Scratch::new("bicep-module-parses");
    let text = near_limit_bicep();
    for i in 0..4 {
        scratch.write(&format!("m{i}.bicep"), &text);
    }
    let mut main = String::new();
    for i in 0..100 {
        main += &format!("module c{i} 'm{}.bicep' = {{\n  name: 'c{i}'\n}}\n", i % 4);
    }
    main += BICEP_CLUSTER;
    scratch.write("main.bicep", &main);
    let run = scratch.check(&["main.bicep", "--format", "json", "--select", "AKS006,AG005"]);
    let json = run.json();
    assert_eq!(run.code, 1, "{}", json["errors"]);
    let findings = by_file(&json, "findings");
    assert!(
        findings
            .get(&("AKS006".to_string(), "main.bicep".to_string()))
            .is_some_and(|f| f.contains(&(305, 5))),
        "{findings:?}"
    );
    // The calls past the budget are said, each at its module statement (`module c{i}` is on
    // line 3i+1); the first call of each of the four files is followed.
    let notices = &findings[&("AG005".to_string(), "main.bicep".to_string())];
    assert!(
        notices.contains(&(298, 1))
            && notices
                .iter()
                .all(|(line, column)| line % 3 == 1 && *line > 10 && *column == 1),
        "{notices:?}"
    );
}
