use super::*;
use crate::config::Config;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Scans `files` (relative path, text) written to a scratch directory with the posture the
/// HTML report needs; `aksguard.toml` among them is the configuration.
fn scan(files: &[(&str, &str)]) -> Scan {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("aksguard-html-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let config = Config::resolve(&dir, None).expect("configuration");
    let options = crate::engine::Options {
        posture: true,
        ..Default::default()
    };
    let paths = [dir.clone()];
    let scan = crate::engine::lint(&crate::engine::Request::new(&paths, &config).options(&options));
    let _ = std::fs::remove_dir_all(&dir);
    scan
}

const CONFIG: &str = r#"
[[landing-zone]]
name = "zone-a"
paths = ["zone-a/**"]
archetype = "online"
subscription = "aaaaaaaa-1111-1111-1111-111111111111"

[[landing-zone]]
name = "zone-b"
paths = ["zone-b/**"]
archetype = "corp"
subscription = "bbbbbbbb-1111-1111-1111-111111111111"

[[landing-zone]]
name = "zone-c"
paths = ["zone-c/**"]
archetype = "online"
"#;

/// Zone a: a cluster pulling from zone b's registry; zone b: that registry; zone c: only a
/// module `terraform init` has not installed (AG005).
const ZONE_A: &str = r#"
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "b"
  subscription_id = "bbbbbbbb-1111-1111-1111-111111111111"
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

resource "azurerm_role_assignment" "pull" {
  scope                = data.azurerm_container_registry.b.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
}
"#;

const ZONE_B: &str = r#"
resource "azurerm_container_registry" "b" {
  name = "bacr"
  sku  = "Premium"
}
"#;

const ZONE_C: &str = r#"
module "aks" {
  source  = "Azure/aks/azurerm"
  version = "7.3.1"
}
"#;

fn zones_scan() -> Scan {
    scan(&[
        ("aksguard.toml", CONFIG),
        ("zone-a/main.tf", ZONE_A),
        ("zone-b/main.tf", ZONE_B),
        ("zone-c/main.tf", ZONE_C),
    ])
}

/// The `<td>` cells of the matrix row of `zone`: (surface, state, counts).
fn row_of(page: &str, zone: &str) -> Vec<(String, String, Vec<usize>)> {
    let start = page
        .find(&format!("class=\"zone-link\">{}</a>", text(zone)))
        .unwrap_or_else(|| panic!("no row for {zone}"));
    let end = start + page[start..].find("</tr>").unwrap();
    let attribute = |cell: &str, name: &str| {
        let at = cell.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        cell[at..at + cell[at..].find('"').unwrap()].to_string()
    };
    page[start..end]
        .split("<td ")
        .skip(1)
        .map(|cell| {
            let counts = attribute(cell, "data-counts")
                .split(' ')
                .map(|n| n.parse().unwrap())
                .collect();
            (
                attribute(cell, "data-surface"),
                attribute(cell, "data-state"),
                counts,
            )
        })
        .collect()
}

#[test]
fn matrix_counts_the_findings_of_each_zone_and_surface() {
    let scan = zones_scan();
    let page = render(&scan, &Options::default());
    for zone in ["zone-a", "zone-b", "zone-c"] {
        let row = row_of(&page, zone);
        assert_eq!(row.len(), 6, "{row:?}");
        for (surface, _, counts) in &row {
            let mut expected = [0usize; 6];
            for f in scan.findings.iter().filter(|f| {
                !f.suppressed
                    && f.landing_zone.as_deref() == Some(zone)
                    && surface_of(f.rule).as_str() == surface
            }) {
                expected[severity_index(f.severity)] += 1;
            }
            assert_eq!(counts, &expected, "{zone} {surface}");
        }
    }
    // Zone a's cluster has findings (AKS001 at least); zone b declares no cluster.
    let a = row_of(&page, "zone-a");
    assert_eq!(a[2].0, "cluster");
    assert_eq!(a[2].1, "findings");
    assert!(scan
        .findings
        .iter()
        .any(|f| f.rule == "AKS001" && f.landing_zone.as_deref() == Some("zone-a")));
    let b = row_of(&page, "zone-b");
    assert_eq!((b[2].0.as_str(), b[2].1.as_str()), ("cluster", "nothing"));
    assert_eq!(b[0].1, "nothing", "no Dockerfile or pipeline");
}

#[test]
fn a_zone_with_a_module_not_evaluated_is_never_clean() {
    let scan = zones_scan();
    let notice = scan
        .findings
        .iter()
        .find(|f| f.rule == "AG005")
        .expect("AG005 for the uninstalled module");
    assert_eq!(notice.landing_zone.as_deref(), Some("zone-c"));
    let page = render(&scan, &Options::default());
    let c = row_of(&page, "zone-c");
    let state = |surface: &str| c.iter().find(|cell| cell.0 == surface).unwrap().1.clone();
    for surface in ["registry", "cluster", "node"] {
        assert_eq!(state(surface), "not-evaluated", "{surface}: {c:?}");
    }
    // Build and application are not what a Terraform module deploys.
    assert_eq!(state("build"), "nothing");
    // The notice itself is counted in the engine column.
    assert_eq!(c[5].2[severity_index(Severity::Info)], 1);
    assert!(page.contains("Not evaluated: module.aks was not evaluated"));
}

#[test]
fn every_value_unknown_offline_is_not_evaluated() {
    // The whole cluster comes from a parameter without a default: nothing is decidable.
    let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "props": { "type": "object" } },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-02-01",
      "name": "opaque",
      "location": "westeurope",
      "properties": "[parameters('props')]"
    }
  ]
}"#;
    let scan = scan(&[("azuredeploy.json", template)]);
    let posture = scan.posture.as_ref().unwrap();
    let zone = &posture.zones[0];
    let cluster = zone.coverage[crate::posture::surface_index(Surface::Cluster).unwrap()];
    assert_eq!(cluster.subjects, 1, "{cluster:?}");
    assert!(cluster.all_unknown(), "{cluster:?}");
    let page = render(&scan, &Options::default());
    let row = row_of(&page, &zone.name);
    assert_eq!(row[2].1, "not-evaluated", "{row:?}");
    assert!(page.contains("security values is unknown offline"));
}

#[test]
fn the_drawing_shows_the_cross_zone_grant() {
    let scan = zones_scan();
    let posture = scan.posture.as_ref().unwrap();
    let a = &posture.zones[0];
    assert_eq!(a.name, "zone-a");
    let grant = a
        .links
        .iter()
        .find(|l| l.kind == crate::posture::LinkKind::AcrPull)
        .expect("the AcrPull grant is drawn");
    assert!(grant.cross_zone);
    assert_eq!(a.nodes[grant.from].label, "a-aks");
    assert_eq!(a.nodes[grant.to].label, "bacr");
    assert_eq!(a.nodes[grant.to].zone.as_deref(), Some("zone-b"));
    // Zone b draws the same grant, from a cluster of zone a.
    let b = &posture.zones[1];
    let grant = b.links.iter().find(|l| l.cross_zone).expect("drawn in b");
    assert_eq!(b.nodes[grant.from].zone.as_deref(), Some("zone-a"));
    let page = render(&scan, &Options::default());
    assert!(
        page.contains("class=\"link acrpull cross\""),
        "cross-zone link drawn"
    );
    assert!(
        page.contains("<svg class=\"map\""),
        "few zones: drawn inline"
    );
    assert!(page.contains("1 AcrPull grant (1 across zones)"));
}

#[test]
fn text_from_scanned_files_is_inert() {
    let hostile = "</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>";
    let cluster = format!(
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {{\n  name = \"{}\"\n}}\n",
        hostile.replace('"', "\\\"")
    );
    let scan = scan(&[
        ("aksguard.toml", &CONFIG.replace("zone-c", "zone-<b>c</b>")),
        ("zone-a/x<script>alert(2)<s/main.tf", &cluster),
        ("zone-a/main.tf", &cluster),
    ]);
    assert!(scan.findings.iter().any(|f| f.message.contains("<script>")));
    assert!(scan
        .sources
        .iter()
        .any(|f| f.display.contains("<script>alert(2)<s/")));
    let page = render(&scan, &Options::default());
    // Exactly the page's own two scripts, and no element of the scanned text.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script").count(), 2);
    for raw in ["<img", "<b>c", "onerror=alert(1)>", "alert(2)<s"] {
        assert!(!page.contains(raw), "{raw} raw in the page");
    }
    assert!(page.contains("zone-&lt;b&gt;c&lt;/b&gt;"));
    // In the data, as JSON escapes.
    assert!(page.contains("\\u003c/script\\u003e\\u003cscript\\u003ewindow.__pwned=1"));
    assert!(page.contains("x\\u003cscript\\u003ealert(2)\\u003cs/main.tf"));
}

#[test]
fn strings_for_the_data_script() {
    assert_eq!(js("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(js("</script>"), r#""\u003c/script\u003e""#);
    assert_eq!(
        js("<!-- & ##[error]"),
        r#""\u003c!-- \u0026 \u0023\u0023[error]""#
    );
    assert_eq!(
        js("\u{2028}\u{1b}\u{9b}\u{202e}"),
        r#""\u2028\u001b\u009b\u202e""#
    );
    // It is JSON: serde reads back what was written.
    let text = "x</script>\u{2028}\n\t\"é😀#";
    let back: String = serde_json::from_str(&js(text)).unwrap();
    assert_eq!(back, text);
}

#[test]
fn html_text_escapes_markup_and_controls() {
    assert_eq!(
        text("<a href='x'>\"&#1;</a>\u{1b}[2J\n"),
        "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&#35;1;&lt;/a&gt;\\x1b[2J\\n"
    );
}

#[test]
fn suppressed_findings_keep_their_reason_and_expiry() {
    let config = format!(
        "{CONFIG}\n[[suppress]]\nrule = \"AKS001\"\nresource = \"azurerm_kubernetes_cluster.aks\"\n\
         reason = \"private link planned\"\nexpires = \"2999-01-31\"\n"
    );
    let scan = scan(&[("aksguard.toml", &config), ("zone-a/main.tf", ZONE_A)]);
    let suppressed = scan
        .findings
        .iter()
        .find(|f| f.rule == "AKS001")
        .expect("AKS001");
    assert!(suppressed.suppressed);
    assert_eq!(
        suppressed.suppression_expires.as_deref(),
        Some("2999-01-31")
    );
    let page = render(&scan, &Options::default());
    assert!(page.contains("\"private link planned\",\"2999-01-31\""));
    // Not counted in the matrix.
    let a = row_of(&page, "zone-a");
    let high = severity_index(suppressed.severity);
    let active = scan
        .findings
        .iter()
        .filter(|f| {
            !f.suppressed
                && f.severity == suppressed.severity
                && surface_of(f.rule) == Surface::Cluster
        })
        .count();
    assert_eq!(a[2].2[high], active);
}

#[test]
fn each_rule_carries_its_references_with_their_sources() {
    let scan = zones_scan();
    assert!(scan.findings.iter().any(|f| f.rule == "AKS001"));
    let page = render(&scan, &Options::default());
    let reference = |kind: &str, id: &str, title: &str, link: &str| {
        format!("[{},{},{},{}]", js(kind), js(id), js(title), js(link))
    };
    let policy = reference(
        "Azure Policy",
        "0e246bcf-5f6f-4f87-bc6f-775d4712c7ea",
        "Authorized IP ranges should be defined on Kubernetes Services",
        "https://github.com/Azure/azure-policy/blob/f4a50bacae07/built-in-policies/policyDefinitions/Security%20Center/ASC_EnableIpRanges_KubernetesService_Audit.json",
    );
    let cis = reference(
        "CIS AKS 1.8.0",
        "5.4.1",
        "Restrict Access to the Control Plane Endpoint",
        "https://github.com/aquasecurity/kube-bench/blob/a73ce378418c/cfg/aks-1.8/managedservices.yaml",
    );
    let aks001 = format!("{}:[", js("AKS001"));
    let entry = &page[page.find(&aks001).expect("AKS001 in the rules")..];
    let entry = &entry[..entry.find("]]]").expect("the end of its references") + 3];
    assert!(entry.contains(&policy), "{entry}");
    assert!(entry.contains(&cis), "{entry}");
    assert!(entry.contains(&format!(",{},", js("NS-2"))), "{entry}");
}

/// The finding limit (AG007) is said as what it is, not as a file that could not be read
/// (the limit itself is reached in tests/hostile, on the release build).
#[test]
fn the_finding_limit_is_not_an_unreadable_file() {
    let mut scan = scan(&[("main.tf", "resource \"azurerm_resource_group\" \"rg\" {}\n")]);
    scan.errors.push(crate::engine::Problem {
        rule: crate::catalogue::FINDING_LIMIT.id(),
        slug: crate::catalogue::FINDING_LIMIT.slug(),
        path: "infra".to_string(),
        at: None,
        message: "12 more findings are not reported".to_string(),
    });
    let html = render(&scan, &Options::default());
    assert!(html.contains(
        "<h2>Not every finding is shown</h2>\n<p>AG007 finding-limit: 12 more findings are not \
         reported</p>"
    ));
    assert!(!html.contains("could not be read</h2>"));
    let markdown = crate::report::markdown::render(
        &scan,
        &crate::report::markdown::Options {
            link_base: None,
            baseline: false,
        },
    );
    assert!(
        markdown.contains("; **not every finding is shown**"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "\n> [!WARNING]\n> infra: AG007 finding-limit: 12 more findings are not reported\n"
        ),
        "{markdown}"
    );
    assert!(!markdown.contains("could not be read"), "{markdown}");
}
