//! Evaluator and parser budgets: inputs small on disk that expand without bound.

use crate::harness::Scratch;

#[test]
fn yaml_alias_expansion_is_bounded() {
    let scratch = Scratch::new("yaml-laughs");
    let mut text = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for level in 1..30 {
        let previous = format!("*a{}", level - 1);
        text.push_str(&format!(
            "a{level}: &a{level} [{}]\n",
            [previous.as_str(); 9].join(", ")
        ));
    }
    text.push_str("kind: Pod\napiVersion: v1\nmetadata:\n  name: laughs\n");
    scratch.write("laughs.yaml", text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    assert_eq!(json["errors"][0]["rule"], "AG001", "{json}");
    assert_eq!(json["errors"][0]["path"], "laughs.yaml", "{json}");
}

/// 1-based line and column (in characters) of the first `needle` in `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the input"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |n| n + 1)..]
        .chars()
        .count()
        + 1;
    (line as u64, column as u64)
}

/// (rule, path, line, column) of every error and finding, and the first error message at
/// each place.
fn places(json: &serde_json::Value, key: &str) -> Vec<(String, String, u64, u64)> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn has(list: &[(String, String, u64, u64)], rule: &str, path: &str, (line, column): (u64, u64)) {
    assert!(
        list.iter()
            .any(|p| p == &(rule.to_string(), path.to_string(), line, column)),
        "no {rule} at {path}:{line}:{column} in {list:?}"
    );
}

fn message_at(json: &serde_json::Value, path: &str, (line, column): (u64, u64)) -> String {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path && e["line"] == line && e["column"] == column)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

const ARM_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// A cluster with Kubernetes RBAC off (AKS006), whatever else the file does.
fn arm_cluster(dns_prefix: &str) -> String {
    format!(
        "{{\"type\": \"Microsoft.ContainerService/managedClusters\", \"apiVersion\": \"2024-01-01\", \
         \"name\": \"aks\", \"location\": \"westeurope\",\n\"properties\": {{\"dnsPrefix\": \"{dns_prefix}\",\n\"enableRBAC\": false}}}}"
    )
}

const BICEP_CLUSTER: &str = "resource aks 'Microsoft.ContainerService/managedClusters@2024-01-01' = {\n  name: 'aks'\n  location: 'westeurope'\n  properties: {\n    dnsPrefix: x\n    enableRBAC: false\n  }\n}\n";

#[test]
fn arm_string_doubling_is_bounded_and_reported() {
    let scratch = Scratch::new("arm-doubling");
    let mut variables = vec![format!("\"s0\": \"{}\"", "x".repeat(64))];
    for i in 1..40 {
        variables.push(format!(
            "\"s{i}\": \"[concat(variables('s{0}'), variables('s{0}'))]\"",
            i - 1
        ));
    }
    let text = format!(
        "{{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\",\n\"variables\": {{\n{}\n}},\n\"resources\": [{}]}}\n",
        variables.join(",\n"),
        arm_cluster("[variables('s39')]")
    );
    scratch.write("main.json", &text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    // 64 bytes doubled 16 times is 4 MiB: the 16th doubling is the first refused.
    let at = place(&text, "\"[concat(variables('s15')");
    has(&places(&json, "errors"), "AG001", "main.json", at);
    assert!(
        message_at(&json, "main.json", at).contains("larger than"),
        "{json}"
    );
    has(
        &places(&json, "findings"),
        "AKS006",
        "main.json",
        place(&text, "\"enableRBAC\""),
    );
}

#[test]
fn bicep_string_and_array_doubling_is_bounded_and_reported() {
    let scratch = Scratch::new("bicep-doubling");
    let mut strings = format!("var s0 = '{}'\n", "x".repeat(64));
    let mut arrays = "var a0 = ['xxxxxxxx']\n".to_string();
    for i in 1..40 {
        strings += &format!("var s{i} = '${{s{0}}}${{s{0}}}'\n", i - 1);
        arrays += &format!("var a{i} = [a{0}, a{0}]\n", i - 1);
    }
    let strings = format!("{strings}var x = s39\n{BICEP_CLUSTER}");
    let arrays = format!("{arrays}var x = string(a39)\n{BICEP_CLUSTER}");
    scratch.write("strings/main.bicep", &strings);
    scratch.write("arrays/main.bicep", &arrays);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let errors = places(&json, "errors");
    has(
        &errors,
        "AG001",
        "strings/main.bicep",
        place(&strings, "'${s15}${s15}'"),
    );
    // The 15th doubling holds 65,535 lists and strings, with the array that holds them
    // one more than 65,536.
    has(
        &errors,
        "AG001",
        "arrays/main.bicep",
        place(&arrays, "[a14, a14]"),
    );
    let findings = places(&json, "findings");
    has(
        &findings,
        "AKS006",
        "strings/main.bicep",
        place(&strings, "enableRBAC"),
    );
    has(
        &findings,
        "AKS006",
        "arrays/main.bicep",
        place(&arrays, "enableRBAC"),
    );
}

#[test]
fn terraform_replace_squaring_is_bounded_and_reported() {
    let scratch = Scratch::new("terraform-replace");
    let mut text = format!("locals {{\n  s0 = \"{}\"\n", "x".repeat(64));
    for i in 1..6 {
        text += &format!("  s{i} = replace(local.s{0}, \"x\", local.s{0})\n", i - 1);
    }
    text += "}\nresource \"azurerm_kubernetes_cluster\" \"aks\" {\n  dns_prefix = local.s5\n  role_based_access_control_enabled = false\n}\n";
    scratch.write("main.tf", &text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    // 4 KiB squared is 16 MiB.
    has(
        &places(&json, "errors"),
        "AG001",
        "main.tf",
        place(&text, "replace(local.s1,"),
    );
    has(
        &places(&json, "findings"),
        "AKS006",
        "main.tf",
        place(&text, "role_based_access_control_enabled"),
    );
}

#[test]
fn an_expensive_unrelated_file_does_not_hide_literal_settings() {
    let scratch = Scratch::new("terraform-budget");
    let main = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  name = \"aks\"\n  local_account_disabled = false\n  role_based_access_control_enabled = false\n}\n";
    let expensive = format!(
        "locals {{\n  big = \"{}\"\n}}\nresource \"terraform_data\" \"a\" {{\n  input = [for i in range(1000) : local.big]\n}}\n",
        "x".repeat(1 << 20)
    );
    scratch.write("main.tf", main);
    scratch.write("aaa.tf", &expensive);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let findings = places(&json, "findings");
    has(&findings, "AKS005", "main.tf", (3, 3));
    has(&findings, "AKS006", "main.tf", (4, 3));
    let at = place(&expensive, "[for i");
    has(&places(&json, "errors"), "AG001", "aaa.tf", at);
    assert!(
        message_at(&json, "aaa.tf", at).contains("evaluation work"),
        "{json}"
    );
}

#[test]
fn arm_copies_of_nested_deployments_are_capped_and_reported() {
    let scratch = Scratch::new("arm-nested-copies");
    let cluster = "{\"type\": \"Microsoft.ContainerService/managedClusters\", \"apiVersion\": \"2024-01-01\", \"name\": \"[concat('aks', copyIndex())]\", \"location\": \"westeurope\", \"copy\": {\"name\": \"c\", \"count\": 800}, \"properties\": {\"enableRBAC\": false}}".to_string();
    let deployment = |inner: &str, name: &str| {
        format!(
            "{{\"type\": \"Microsoft.Resources/deployments\", \"apiVersion\": \"2022-09-01\", \"name\": \"[concat('{name}', copyIndex())]\", \"copy\": {{\"name\": \"{name}\", \"count\": 800}}, \"properties\": {{\"mode\": \"Incremental\", \"expressionEvaluationOptions\": {{\"scope\": \"inner\"}}, \"template\": {{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [\n{inner}]}}}}}}"
        )
    };
    let text = format!(
        "{{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\", \"resources\": [\n{}]}}\n",
        deployment(&deployment(&cluster, "d2"), "d1")
    );
    scratch.write("main.json", &text);
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS006"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    assert_eq!(
        json["summary"]["resources"]
            .as_u64()
            .or(json["resources"].as_u64()),
        Some(20_000),
        "{}",
        json["summary"]
    );
    // At the cluster's `type` (its deployments are reported too).
    let at = place(&text, "\"type\": \"Microsoft.ContainerService");
    has(&places(&json, "errors"), "AG001", "main.json", at);
    assert!(
        message_at(&json, "main.json", at).contains("20000 resource instances"),
        "{json}"
    );
}

#[test]
fn huge_bicep_expressions_are_not_parsed_and_reported() {
    let scratch = Scratch::new("bicep-nesting");
    let n = 7 << 20;
    scratch.write(
        "sum/main.bicep",
        format!("var x = {}1\n{BICEP_CLUSTER}", "1+".repeat(n)),
    );
    scratch.write(
        "nested/main.bicep",
        format!(
            "var x = {}{}\n{BICEP_CLUSTER}",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let errors = places(&json, "errors");
    // 500,000 tokens in: `var`, `x`, `=` and 499,998 more.
    has(&errors, "AG001", "sum/main.bicep", (1, 499_999 + 8));
    has(&errors, "AG001", "nested/main.bicep", (1, 499_998 + 9));
}

#[test]
fn deep_bicep_expressions_under_the_token_limit_are_reported() {
    let scratch = Scratch::new("bicep-depth");
    let n = 200_000;
    let text = format!(
        "var x = {}1{}\n{BICEP_CLUSTER}",
        "(".repeat(n),
        ")".repeat(n)
    );
    scratch.write("main.bicep", &text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    // The evaluator's 96 levels are reached at the 95th parenthesis (the property reading
    // `x` and the variable take the first two).
    has(&places(&json, "errors"), "AG001", "main.bicep", (1, 9 + 94));
    has(&places(&json, "findings"), "AKS006", "main.bicep", (7, 5));
}

#[test]
fn yaml_aliases_of_a_large_scalar_are_bounded_by_bytes() {
    let scratch = Scratch::new("yaml-alias-bytes");
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: &big {}\n  b: [{}]\n",
        "x".repeat(1 << 20),
        vec!["*big"; 3000].join(", ")
    );
    scratch.write("cm.yaml", &text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    // The anchor and 30 aliases of it fit in 32 MiB; the 31st does not.
    let nth_alias = text.match_indices("*big").nth(30).unwrap().0;
    let column = text[..nth_alias]
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .count() as u64
        + 1;
    has(&places(&json, "errors"), "AG001", "cm.yaml", (7, column));
}

#[test]
fn bicep_module_cycles_and_self_references_are_reported() {
    let scratch = Scratch::new("bicep-cycles");
    let cluster = BICEP_CLUSTER.replace("dnsPrefix: x", "dnsPrefix: 'aks'");
    let a = format!("module b 'b.bicep' = {{\n  name: 'b'\n}}\n{cluster}");
    scratch.write("mutual/a.bicep", &a);
    scratch.write("mutual/b.bicep", "module a 'a.bicep' = {\n  name: 'a'\n}\n");
    let own = format!("module again 'main.bicep' = {{\n  name: 'again'\n}}\n{cluster}");
    scratch.write("self/main.bicep", &own);
    scratch.write(
        "params/main.bicepparam",
        "using 'main.bicepparam'\nparam x = 1\n",
    );
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS006"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let errors = places(&json, "errors");
    // The cycle is evaluated from its first file and reported where it closes.
    has(&errors, "AG001", "mutual/b.bicep", (1, 10));
    has(&errors, "AG001", "self/main.bicep", (1, 14));
    has(&errors, "AG001", "params/main.bicepparam", (1, 7));
    let findings = places(&json, "findings");
    has(
        &findings,
        "AKS006",
        "mutual/a.bicep",
        place(&a, "enableRBAC"),
    );
    has(
        &findings,
        "AKS006",
        "self/main.bicep",
        place(&own, "enableRBAC"),
    );
    assert!(
        message_at(&json, "self/main.bicep", (1, 14)).contains("already being evaluated"),
        "{json}"
    );
}

#[test]
fn module_instances_past_the_limits_are_reported() {
    let scratch = Scratch::new("module-instances");
    let mut tf = String::new();
    for name in ["a", "b", "c"] {
        tf += &format!("module \"{name}\" {{\n  source = \"./m\"\n  count  = 1000\n}}\n");
    }
    scratch.write("terraform/main.tf", &tf);
    scratch.write(
        "terraform/m/main.tf",
        "resource \"azurerm_resource_group\" \"rg\" {\n  name = \"rg\"\n}\n",
    );
    let mut bicep = String::new();
    for name in ["a", "b"] {
        bicep += &format!(
            "module {name} 'm.bicep' = [for i in range(0, 200): {{\n  name: '{name}${{i}}'\n}}]\n"
        );
    }
    scratch.write("bicep/main.bicep", &bicep);
    scratch.write("bicep/m.bicep", "output o string = 'x'\n");
    let run = scratch.check(&[".", "--format", "json", "--select", "AG005"]);
    let json = run.json();
    assert_eq!(run.code, 0, "AG005 is info: {json}");
    let notices = places(&json, "findings");
    // Terraform: 2,000 instances in all; the third call's 1,000 are not evaluated.
    has(
        &notices,
        "AG005",
        "terraform/main.tf",
        place(&tf, "module \"c\""),
    );
    // Bicep: 256 in all; the second call's 57th instance is the first one dropped.
    has(
        &notices,
        "AG005",
        "bicep/main.bicep",
        place(&bicep, "module b"),
    );
}

#[test]
fn arm_functions_whose_result_outgrows_their_arguments_are_bounded() {
    let scratch = Scratch::new("arm-functions");
    let many: Vec<String> = (1..=50).map(|i| i.to_string()).collect();
    let text = format!(
        "{{\"$schema\": \"{ARM_SCHEMA}\", \"contentVersion\": \"1.0.0.0\",\n\"variables\": {{\n\
         \"s\": \"[padLeft('x', 10000, 'y')]\",\n\
         \"t\": \"[format('{}', variables('s'))]\",\n\
         \"u\": \"[replace(variables('s'), 'y', variables('s'))]\",\n\
         \"v\": \"[join(createArray({}), concat(variables('s'), variables('s'), variables('s')))]\",\n\
         \"w\": \"[union(range(0, 3000), range(0, 3000))]\"\n}},\n\
         \"resources\": [{}]}}\n",
        "{0}".repeat(5000),
        many.join(", "),
        arm_cluster("[concat(variables('t'), variables('u'), variables('v'), string(variables('w')))]")
    );
    scratch.write("main.json", &text);
    let run = scratch.check(&[".", "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let errors = places(&json, "errors");
    for name in ["\"t\": ", "\"u\": ", "\"w\": "] {
        let (line, column) = place(&text, name);
        has(
            &errors,
            "AG001",
            "main.json",
            (line, column + name.len() as u64),
        );
    }
    has(
        &places(&json, "findings"),
        "AKS006",
        "main.json",
        place(&text, "\"enableRBAC\""),
    );
}

#[test]
fn a_root_past_its_whole_budget_still_checks_literal_settings() {
    let scratch = Scratch::new("terraform-hard-budget");
    let mut text = String::new();
    for i in 0..2000 {
        text += &format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = [for x in range(1000) : [for y in range(1000) : y]]\n}}\n"
        );
    }
    text +=
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  local_account_disabled = false\n}\n";
    scratch.write("main.tf", &text);
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005,AG001"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    has(
        &places(&json, "findings"),
        "AKS005",
        "main.tf",
        place(&text, "local_account_disabled"),
    );
    // Twenty places are listed, the last one counting the rest.
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 20, "{json}");
    assert!(
        errors[19]["message"]
            .as_str()
            .unwrap()
            .contains("more expressions stopped at evaluation limits"),
        "{json}"
    );
}
