use super::*;
use crate::config::Config;
use crate::engine;
use std::path::PathBuf;

/// A scratch directory, removed when the test ends (passed or failed).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str, files: &[(&str, &str)]) -> Scratch {
    let dir = std::env::temp_dir().join(format!("aksguard-fix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    Scratch(dir)
}

/// The rule's fix rendered against the scan, and the file text it applies to.
fn fix_of(dir: &std::path::Path, rule: &str) -> (Fix, String) {
    let scan = engine::lint(&engine::Request::new(
        &[dir.to_path_buf()],
        &Config::default_for(dir),
    ));
    let finding = scan
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding"));
    let fix = render(&scan.sources, finding).unwrap_or_else(|| panic!("{rule} has no fix"));
    let text = scan.sources.get(fix.edits[0].file).text.clone();
    (fix, text.to_string())
}

const CLUSTER: &str = r#"resource "azurerm_kubernetes_cluster" "aks" {
  name                   = "aks"
  local_account_disabled = false
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
  }
}
"#;

#[test]
fn a_literal_is_replaced_in_place_and_safe() {
    let dir = scratch("literal", &[("main.tf", CLUSTER)]);
    let (fix, text) = fix_of(&dir, "AKS005");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(
        fixed.contains("  local_account_disabled = true\n"),
        "{fixed}"
    );
    assert_eq!(fixed.len(), text.len() - 1, "only `false` became `true`");
}

#[test]
fn a_literal_the_platform_rejects_alone_needs_review() {
    let without_entra = CLUSTER.replace(
        "  azure_active_directory_role_based_access_control {\n    azure_rbac_enabled = true\n  }\n",
        "",
    );
    assert_ne!(without_entra, CLUSTER);
    let dir = scratch("review", &[("main.tf", &without_entra)]);
    let (fix, _) = fix_of(&dir, "AKS005");
    assert_eq!(fix.applicability, Applicability::Unsafe);
}

#[test]
fn a_missing_attribute_is_added_with_the_siblings_indentation() {
    let dir = scratch("insert", &[("main.tf", CLUSTER)]);
    let (fix, text) = fix_of(&dir, "AKS017");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(
        fixed.contains(
            "    vm_size = \"Standard_D4s_v5\"\n    host_encryption_enabled = true\n  }\n"
        ),
        "{fixed}"
    );
}

#[test]
fn a_value_from_a_variable_default_is_an_unsafe_fix_of_the_default() {
    let tf = r#"variable "local_accounts_off" {
  default = false
}
resource "azurerm_kubernetes_cluster" "aks" {
  name                   = "aks"
  local_account_disabled = var.local_accounts_off
}
"#;
    let dir = scratch("variable", &[("main.tf", tf)]);
    let (fix, text) = fix_of(&dir, "AKS005");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(fixed.contains("  default = true\n"), "{fixed}");
    assert!(fixed.contains("= var.local_accounts_off"), "{fixed}");
}

const TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-05-01",
      "name": "aks",
      "properties": {
        "dnsPrefix": "aks"
      }
    }
  ]
}
"#;

#[test]
fn arm_properties_are_added_as_nested_objects_after_the_last_property() {
    let dir = scratch("arm", &[("aks.json", TEMPLATE)]);
    let (fix, text) = fix_of(&dir, "AKS007");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    let expected = r#"        "dnsPrefix": "aks",
        "addonProfiles": {
          "azurepolicy": {
            "enabled": true
          }
        }
      }"#;
    assert!(fixed.contains(expected), "{fixed}");
    serde_json::from_str::<serde_json::Value>(&fixed).unwrap();
}

#[test]
fn compiled_bicep_gets_a_display_only_fix() {
    let compiled = TEMPLATE.replacen(
        "\"contentVersion\": \"1.0.0.0\",",
        "\"contentVersion\": \"1.0.0.0\",\n  \"metadata\": {\"_generator\": {\"name\": \"bicep\"}},",
        1,
    );
    let dir = scratch("compiled", &[("aks.json", &compiled)]);
    let (fix, _) = fix_of(&dir, "AKS007");
    assert_eq!(fix.applicability, Applicability::DisplayOnly);
}

#[test]
fn overlapping_edits_are_refused_and_duplicates_count_once() {
    let edit = |start, end, content: &str| Edit {
        file: 0,
        start,
        end,
        content: content.to_string(),
    };
    assert_eq!(
        apply("abcdef", &[edit(1, 3, "X"), edit(2, 4, "Y")]),
        Err(Overlap)
    );
    assert_eq!(
        apply("abcdef", &[edit(1, 3, "X"), edit(1, 3, "X")]).unwrap(),
        "aXdef"
    );
}

#[test]
fn fixes_that_need_the_same_new_mapping_are_applied_in_passes() {
    let manifest = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: web.azurecr.io/web:1
      securityContext:
        privileged: true
    - name: sidecar
      image: web.azurecr.io/side:1
";
    let dir = scratch("passes", &[("pod.yaml", manifest)]);
    let mut config = Config::default_for(&dir);
    config.select = ["K8S001", "K8S002", "K8S005"].map(String::from).to_vec();
    let paths = [dir.to_path_buf()];
    let request = engine::Request::new(&paths, &config);
    let scan = engine::lint(&request);
    let planned = engine::fixes::fix_files(&request, &scan, Applicability::Safe);
    assert!(planned.not_written.is_empty());
    let expected = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: web.azurecr.io/web:1
      securityContext:
        privileged: false
        allowPrivilegeEscalation: false
        seccompProfile:
          type: RuntimeDefault
    - name: sidecar
      image: web.azurecr.io/side:1
      securityContext:
        allowPrivilegeEscalation: false
        seccompProfile:
          type: RuntimeDefault
";
    assert_eq!(planned.changes.len(), 1);
    assert_eq!(planned.changes[0].after, expected);
}

#[test]
fn a_yaml_value_is_replaced_before_its_comment_and_helm_output_is_display_only() {
    let manifest = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: web.azurecr.io/web:1
      securityContext:
        privileged: true  # the agent needs it?
";
    let dir = scratch("yaml-comment", &[("pod.yaml", manifest)]);
    let (fix, text) = fix_of(&dir, "K8S001");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(
        fixed.contains("        privileged: false  # the agent needs it?\n"),
        "{fixed}"
    );

    let rendered = format!("---\n# Source: web/templates/pod.yaml\n{manifest}");
    let dir = scratch("helm", &[("rendered.yaml", &rendered)]);
    let (fix, _) = fix_of(&dir, "K8S001");
    assert_eq!(fix.applicability, Applicability::DisplayOnly);
}

const BICEP_REGISTRY: &str = "param name string = 'acrlz'

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: true
  }
}
";

#[test]
fn bicep_literals_are_replaced_and_missing_properties_added_at_the_siblings_indent() {
    let dir = scratch("bicep", &[("main.bicep", BICEP_REGISTRY)]);
    let (fix, text) = fix_of(&dir, "ACR004");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(fixed.contains("    adminUserEnabled: false\n"), "{fixed}");

    let (fix, text) = fix_of(&dir, "ACR008");
    assert_eq!(fix.applicability, Applicability::Safe);
    let fixed = apply(&text, &fix.edits).unwrap();
    assert!(
        fixed.contains(
            "    adminUserEnabled: true\n    policies: {\n      quarantinePolicy: {\n        status: 'enabled'\n      }\n    }\n  }\n}\n"
        ),
        "{fixed}"
    );
    let tree = crate::bicep::syntax::parse(&fixed).unwrap();
    assert!(
        crate::bicep::syntax::first_error(&tree).is_none(),
        "{fixed}"
    );
}

/// `count` container registries that leave out `publicNetworkAccess` (ACR002) and the
/// quarantine policy (ACR008), as one ARM template and as one Bicep file.
fn many_registries(count: usize) -> (String, String) {
    let arm: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"    {{
      "type": "Microsoft.ContainerRegistry/registries",
      "apiVersion": "2023-07-01",
      "name": "acr{i}",
      "location": "westeurope",
      "sku": {{ "name": "Premium" }},
      "properties": {{
        "adminUserEnabled": false
      }}
    }}"#
            )
        })
        .collect();
    let arm = format!(
        "{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": [\n{}\n  ]\n}}\n",
        arm.join(",\n")
    );
    let bicep: String = (0..count)
        .map(|i| {
            format!(
                "resource acr{i} 'Microsoft.ContainerRegistry/registries@2023-07-01' = {{\n  name: 'acr{i}'\n  location: 'westeurope'\n  sku: {{\n    name: 'Premium'\n  }}\n  properties: {{\n    adminUserEnabled: false\n  }}\n}}\n"
            )
        })
        .collect();
    (arm, bicep)
}

#[test]
fn the_fixes_of_one_file_share_one_parse_and_land_in_their_own_resource() {
    // Each fix used to parse its whole template again: N findings cost N parses of a file
    // that grows with N (8,000 registries: a minute).
    const COUNT: usize = 150;
    let (arm, bicep) = many_registries(COUNT);
    let dir = scratch(
        "one-parse",
        &[("registries.json", &arm), ("registries.bicep", &bicep)],
    );
    let scan = engine::lint(&engine::Request::new(
        &[dir.to_path_buf()],
        &Config::default_for(&dir),
    ));
    let before = parses();
    let mut fixes: BTreeMap<String, usize> = BTreeMap::new();
    for finding in &scan.findings {
        if let Some(fix) = render(&scan.sources, finding) {
            let file = &scan.sources.get(fix.edits[0].file).path;
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            *fixes.entry(name).or_default() += 1;
        }
    }
    assert_eq!(
        fixes,
        BTreeMap::from([
            ("registries.bicep".to_string(), 2 * COUNT),
            ("registries.json".to_string(), 2 * COUNT)
        ])
    );
    // The Bicep file is parsed once for all of its fixes; the template's tree too, by
    // `json::tree`, whose parses tests/json_parse_once.rs counts.
    assert_eq!(parses() - before, 1, "one parse per file");

    // The first pass takes one of each registry's two fixes (both add after its last
    // property); every registry gets it, in its own `properties`.
    for (file, edits) in plan(&scan.sources, &scan.findings, Applicability::Safe, |_| true) {
        let source = scan.sources.get(file);
        assert_eq!(edits.len(), COUNT, "{}", source.display);
        let fixed = apply(&source.text, &edits).unwrap();
        let added = if source.display.ends_with(".json") {
            "\"adminUserEnabled\": false,\n        \"publicNetworkAccess\": \"Disabled\"\n      }"
        } else {
            "adminUserEnabled: false\n    publicNetworkAccess: 'Disabled'\n  }"
        };
        assert_eq!(fixed.matches(added).count(), COUNT, "{fixed}");
    }
    assert_eq!(parses() - before, 1, "planning reuses the parses");
}
