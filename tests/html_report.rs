//! `--format html` in a real browser: a corpus this test writes (45 landing zones, one of
//! them with a module `terraform init` has not installed, file names and values carrying
//! markup) is reported as JSON and as HTML; the HTML is opened in Debian's headless
//! Chromium, driven through the DevTools protocol (tests/browser/html_report.py), and what
//! its DOM shows is compared with the JSON report: the matrix counts, "not evaluated" for
//! the AG005 zone, the findings listed after a real click on a matrix cell, a severity
//! typed into its filter, "Clear filters" and a filter in the address; a zone's drawing
//! appearing when its heading is clicked, with the cross-zone AcrPull grant; no script of
//! the scanned text running. Saves a screenshot (SCREENSHOT, default
//! target/html-report/html-report.png; README shows docs/html-report.png, made this way).
//!
//! Needs `chromium` (.ci/run installs it) and python3; without Chromium the test fails,
//! unless AKSGUARD_SKIP_BROWSER=1 says to skip it.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG_HEAD: &str = r#"
[[landing-zone]]
name = "zone-a"
paths = ["zone-a/**"]
archetype = "online"
subscription = "aaaaaaaa-1111-4111-8111-111111111111"

[[landing-zone]]
name = "zone-b"
paths = ["zone-b/**"]
archetype = "corp"
subscription = "bbbbbbbb-1111-4111-8111-111111111111"

[[landing-zone]]
name = "zone-c"
paths = ["zone-c/**"]
archetype = "online"

[[suppress]]
rule = "AKS005"
resource = "azurerm_kubernetes_cluster.aks"
reason = "break-glass account until Entra ID groups are in place"
expires = "2999-12-31"
"#;

/// A cluster pulling from zone b's registry (found by the provider's subscription), with
/// its audit logs and a Defender plan on the free tier.
const ZONE_A: &str = r#"
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "b"
  subscription_id = "bbbbbbbb-1111-4111-8111-111111111111"
  features {}
}

data "azurerm_container_registry" "b" {
  provider            = azurerm.b
  name                = "bacr"
  resource_group_name = "rg-b"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name = "a-aks"
  default_node_pool {
    name = "system"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "apps" {
  name                  = "apps"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
}

resource "azurerm_role_assignment" "pull" {
  scope                = data.azurerm_container_registry.b.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                       = "aks-logs"
  target_resource_id         = azurerm_kubernetes_cluster.aks.id
  log_analytics_workspace_id = "/subscriptions/aaaaaaaa-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs"
  enabled_log {
    category = "kube-apiserver"
  }
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Free"
  resource_type = "Containers"
}
"#;

const ZONE_B: &str = r#"
resource "azurerm_container_registry" "b" {
  name                          = "bacr"
  resource_group_name           = "rg-b"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}

resource "azurerm_private_endpoint" "bacr" {
  name                = "bacr-pe"
  location            = "westeurope"
  resource_group_name = "rg-b"
  subnet_id           = "/subscriptions/bbbbbbbb-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe"

  private_service_connection {
    name                           = "bacr"
    private_connection_resource_id = azurerm_container_registry.b.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }
}
"#;

/// Only a module `terraform init` has not installed: AG005.
const ZONE_C: &str = r#"
module "aks" {
  source  = "Azure/aks/azurerm"
  version = "7.3.1"
}
"#;

/// A pod whose image and file name carry markup and script.
const HOSTILE_POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: "evil.example/x</script><script>window.__pwned=1</script>:latest"
      securityContext:
        privileged: true
"#;
const HOSTILE_DIR: &str = "zone-a/apps/x<img src=y onerror=window.__pwned=2>";

/// More zones than the page draws inline (40): theirs are drawn when opened.
const SMALL_ZONES: usize = 42;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn corpus(root: &Path) {
    let mut config = CONFIG_HEAD.to_string();
    for i in 0..SMALL_ZONES {
        config.push_str(&format!(
            "\n[[landing-zone]]\nname = \"lz-{i:02}\"\npaths = [\"lz-{i:02}/**\"]\n\
             archetype = \"online\"\n"
        ));
        write(
            root,
            &format!("lz-{i:02}/main.tf"),
            &format!(
                "resource \"azurerm_container_registry\" \"r\" {{\n  name = \"lz{i:02}acr\"\n  \
                 sku  = \"{}\"\n}}\n",
                if i % 2 == 0 { "Basic" } else { "Premium" }
            ),
        );
    }
    write(root, "aksguard.toml", &config);
    write(root, "zone-a/main.tf", ZONE_A);
    write(root, &format!("{HOSTILE_DIR}/pod.yaml"), HOSTILE_POD);
    write(root, "zone-b/main.tf", ZONE_B);
    write(root, "zone-c/main.tf", ZONE_C);
}

fn aksguard(root: &Path, format: &str) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(root)
        .args(["check", ".", "--format", format])
        .output()
        .expect("run aksguard");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Rule ID -> surface, from `aksguard rules`.
fn surfaces() -> HashMap<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("rules")
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let columns: Vec<&str> = line.split_whitespace().collect();
            (columns[0].to_string(), columns[3].to_string())
        })
        .collect()
}

const SEVERITIES: [&str; 6] = ["error", "critical", "high", "medium", "low", "info"];

fn chromium_present() -> bool {
    std::env::var_os("AKSGUARD_CHROMIUM").is_some()
        || Path::new("/usr/bin/chromium").exists()
        || Command::new("chromium").arg("--version").output().is_ok()
}

#[test]
fn html_report_in_chromium() {
    if !chromium_present() {
        if std::env::var_os("AKSGUARD_SKIP_BROWSER").is_some() {
            eprintln!("skipped: no Chromium and AKSGUARD_SKIP_BROWSER is set");
            return;
        }
        panic!("Chromium is needed (apt-get install chromium; .ci/run installs it), or set AKSGUARD_SKIP_BROWSER=1");
    }
    let root = std::env::temp_dir().join(format!("aksguard-html-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    corpus(&root);
    let json: Value = serde_json::from_slice(&aksguard(&root, "json")).unwrap();
    let html = aksguard(&root, "html");
    let report = root
        .join("..")
        .join(format!("aksguard-html-e2e-{}.html", std::process::id()));
    std::fs::write(&report, &html).unwrap();

    let screenshot = std::env::var_os("SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-report/html-report.png")
        });
    std::fs::create_dir_all(screenshot.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&screenshot);
    let output = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/html_report.py"))
        .arg(&report)
        .args(["--cell", "zone-a:cluster", "--severity", "high"])
        .args(["--rule", "AKS001", "--zone", "zone-a"])
        .args(["--also", "zone=zone-a&surface=application"])
        .arg("--screenshot")
        .arg(&screenshot)
        .output()
        .expect("run python3");
    let _ = std::fs::remove_file(&report);
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        output.status.success(),
        "html_report.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(dom["ready"], "true", "the page's script ran to the end");

    // What the JSON report says, by zone, surface and severity (unsuppressed findings).
    let surfaces = surfaces();
    let findings = json["findings"].as_array().unwrap();
    let mut expected: BTreeMap<(String, String), [u64; 6]> = BTreeMap::new();
    for f in findings.iter().filter(|f| f["suppressed"] == false) {
        let zone = f["landing_zone"].as_str().unwrap().to_string();
        let surface = surfaces[f["rule"].as_str().unwrap()].clone();
        let severity = SEVERITIES
            .iter()
            .position(|s| *s == f["severity"].as_str().unwrap())
            .unwrap();
        expected.entry((zone, surface)).or_default()[severity] += 1;
    }
    assert!(expected.len() > 10, "{expected:?}");

    // The matrix: every configured zone, every cell's counts equal to the JSON report's.
    let matrix = dom["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), 3 + SMALL_ZONES, "{matrix:?}");
    let mut seen = 0;
    for row in matrix {
        let zone = row["zone"].as_str().unwrap();
        let cells = row["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 6);
        for cell in cells {
            let surface = cell["surface"].as_str().unwrap().to_string();
            let counts: Vec<u64> = cell["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .collect();
            let want = expected
                .get(&(zone.to_string(), surface.clone()))
                .copied()
                .unwrap_or_default();
            assert_eq!(counts, want, "{zone} × {surface}");
            seen += counts.iter().sum::<u64>();
        }
    }
    let unsuppressed = findings.iter().filter(|f| f["suppressed"] == false).count() as u64;
    assert_eq!(
        seen, unsuppressed,
        "every unsuppressed finding is in one cell"
    );

    // Zone c only calls a module that was not installed: not evaluated, and it says so.
    let zone_c = matrix.iter().find(|r| r["zone"] == "zone-c").unwrap();
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "AG005" && f["landing_zone"] == "zone-c"));
    for cell in zone_c["cells"].as_array().unwrap() {
        let surface = cell["surface"].as_str().unwrap();
        if ["registry", "cluster", "node"].contains(&surface) {
            assert_eq!(cell["state"], "not-evaluated", "{surface}");
            assert!(
                cell["text"].as_str().unwrap().contains("not evaluated"),
                "{cell}"
            );
        }
    }
    // A zone whose registry was evaluated and passed is green only there.
    let premium = matrix.iter().find(|r| r["zone"] == "lz-01").unwrap();
    let registry = &premium["cells"][1];
    assert_eq!(registry["surface"], "registry");
    if registry["counts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n == 0)
    {
        assert_eq!(registry["state"], "clean");
    }
    assert_eq!(
        premium["cells"][2]["state"], "nothing",
        "no cluster in lz-01"
    );

    // Filters: a click on zone a's cluster cell, then "high" typed into the severity filter.
    let count = |zone: &str, surface: Option<&str>, severity: Option<&str>, rule: Option<&str>| {
        findings
            .iter()
            .filter(|f| f["suppressed"] == false)
            .filter(|f| zone.is_empty() || f["landing_zone"] == zone)
            .filter(|f| surface.is_none_or(|s| surfaces[f["rule"].as_str().unwrap()] == s))
            .filter(|f| severity.is_none_or(|s| f["severity"] == s))
            .filter(|f| rule.is_none_or(|r| f["rule"] == r))
            .count() as u64
    };
    let initial = &dom["initial"];
    assert_eq!(initial["total"], unsuppressed);
    let after_cell = &dom["after_cell"];
    let want = count("zone-a", Some("cluster"), None, None);
    assert!(want > 1, "zone a has cluster findings");
    assert_eq!(after_cell["total"], want, "{}", after_cell["count"]);
    for item in after_cell["items"].as_array().unwrap() {
        assert_eq!(item["zone"], "zone-a");
        assert_eq!(item["surface"], "cluster");
    }
    assert!(after_cell["hash"]
        .as_str()
        .unwrap()
        .contains("zone=zone-a&surface=cluster"));
    let after_severity = &dom["after_severity"];
    let want_high = count("zone-a", Some("cluster"), Some("high"), None);
    assert!(want_high > 0 && want_high < want, "{want_high} of {want}");
    assert_eq!(after_severity["total"], want_high);
    for item in after_severity["items"].as_array().unwrap() {
        assert_eq!(item["severity"], "high");
        assert_eq!(item["zone"], "zone-a");
    }
    assert_eq!(dom["after_clear"]["total"], unsuppressed);
    let from_address = &dom["from_address"];
    assert_eq!(
        from_address["total"],
        count("", None, None, Some("AKS001")),
        "{}",
        from_address["count"]
    );
    assert!(from_address["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["rule"] == "AKS001"));
    // Under the finding, the rule's references (README "References"), each linked to the
    // file it was looked up in.
    let shown: Vec<(String, String)> = dom["references"]
        .as_array()
        .expect("an AKS001 finding with references")
        .iter()
        .map(|r| {
            (
                r["text"].as_str().unwrap().to_string(),
                r["href"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let documented: Vec<(String, String)> = aksguard::rules::references("AKS001")
        .iter()
        .map(|r| {
            (
                format!("{} {} \u{2014} {}", r.kind, r.short_id(), r.title),
                r.source_url().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(shown, documented);
    assert!(shown.contains(&(
        "Azure Policy 0e246bcf-5f6f-4f87-bc6f-775d4712c7ea \u{2014} Authorized IP ranges should be defined on Kubernetes Services".to_string(),
        "https://github.com/Azure/azure-policy/blob/f4a50bacae07/built-in-policies/policyDefinitions/Security%20Center/ASC_EnableIpRanges_KubernetesService_Audit.json".to_string()
    )), "{shown:?}");

    // The suppressed finding is not counted, and its reason and expiry are in the data.
    let suppressed = findings
        .iter()
        .find(|f| f["rule"] == "AKS005")
        .expect("AKS005");
    assert_eq!(suppressed["suppressed"], true);
    let page = String::from_utf8(html).unwrap();
    assert!(
        page.contains("\"break-glass account until Entra ID groups are in place\",\"2999-12-31\"")
    );

    // Zone a's drawing, drawn when its heading is clicked (45 zones: none inline).
    let drawing = &dom["drawing"];
    assert_eq!(drawing["before"], 0, "not drawn before it is opened");
    assert_eq!(drawing["open"], true);
    assert_eq!(drawing["svgs"], 1);
    let nodes: Vec<&str> = drawing["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for node in [
        "a-aks",
        "system",
        "apps",
        "bacr",
        "aks-logs",
        "Defender for Containers",
    ] {
        assert!(nodes.contains(&node), "{node} in {nodes:?}");
    }
    assert_eq!(
        drawing["cross"], 1,
        "the AcrPull grant to zone b is highlighted"
    );

    // Nothing of the scanned text ran: only the page's two scripts, and the text shows.
    assert_eq!(dom["pwned"], Value::Null);
    assert_eq!(dom["scripts"], 2);
    assert_eq!(dom["scripts_at_end"], 2);
    assert_eq!(drawing["scripts"], 0);
    let hostile = findings
        .iter()
        .find(|f| f["path"].as_str().unwrap().contains("onerror"))
        .expect("a finding in the hostile file");
    // Listed as the text it is: the path with its `<img ...>`, the image with its scripts.
    let also = dom["also"]["items"].as_array().unwrap();
    assert_eq!(
        dom["also"]["total"],
        count("zone-a", Some("application"), None, None)
    );
    let path = hostile["path"].as_str().unwrap();
    assert!(
        also.iter()
            .any(|i| i["text"].as_str().unwrap().contains(path)),
        "{path} shown as text in {also:?}"
    );
    assert!(also.iter().any(|i| i["text"]
        .as_str()
        .unwrap()
        .contains("</script><script>window.__pwned=1</script>")));
    assert!(page.contains("x\\u003cimg src=y onerror=window.__pwned=2\\u003e"));
    assert!(screenshot.is_file(), "screenshot saved");
}
