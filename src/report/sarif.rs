//! `--format sarif`: SARIF 2.1.0 for code-scanning services (GitHub code scanning, the Azure
//! DevOps SARIF viewer, ...).
//!
//! One run. `tool.driver.rules` holds every rule of the catalogue and the engine
//! diagnostics; each finding is one result (suppressed findings included, with
//! `suppressions`); engine errors (AG001, AG004) are tool-execution notifications of the one
//! invocation. Paths below the working directory are relative to `%SRCROOT%` (the working
//! directory); columns count characters (`columnKind: unicodeCodePoints`).

use super::span_lines;
use crate::finding::Finding;
use crate::finding::{Problem, Scan};
use crate::rules;
use crate::severity::Severity;
use crate::source::{Loc, Sources};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The project's home: `package.repository` of Cargo.toml when it is set, else the
/// project's GitHub repository.
const REPOSITORY: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    "https://github.com/aksguard/aksguard"
} else {
    env!("CARGO_PKG_REPOSITORY")
};

/// The base every relative artifact URI is resolved against: the working directory.
const SRCROOT: &str = "%SRCROOT%";

/// Fingerprint key of `partialFingerprints`; bump the version if the hashed text changes.
const FINGERPRINT: &str = "aksguard/v1";

/// The reportingDescriptors: every rule of the catalogue, then the engine diagnostics.
fn descriptors() -> Vec<&'static rules::Meta> {
    let catalogue = rules::ALL.iter().map(|r| r.meta);
    catalogue
        .chain(rules::ENGINE_DIAGNOSTICS.iter().copied())
        .collect()
}

pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    let descriptors = descriptors();
    let index: HashMap<&str, usize> = descriptors
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id, i))
        .collect();
    let repository = repository();

    let mut driver = Map::new();
    driver.insert("name".into(), json!("aksguard"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("informationUri".into(), json!(repository));
    driver.insert(
        "rules".into(),
        Value::Array(
            descriptors
                .iter()
                .map(|d| descriptor(d, &repository))
                .collect(),
        ),
    );

    // The how-many-th (rule, path, resource) each finding is, for its fingerprint.
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let occurrences: Vec<usize> = scan
        .findings
        .iter()
        .map(|f| {
            let path = scan.sources.get(f.at.file).display.as_str();
            let count = seen.entry((f.rule, path, f.resource.as_str())).or_insert(0);
            *count += 1;
            *count - 1
        })
        .collect();
    drop(seen);
    let results = super::ParallelArray::new(&scan.findings, 8, |i, f| {
        result(scan, f, index.get(f.rule).copied(), occurrences[i])
    });

    let mut notifications: Vec<Value> = scan
        .errors
        .iter()
        .map(|e| notification(&scan.sources, e, index.get(e.rule).copied()))
        .collect();
    if let Some(line) = scan.not_shown.line() {
        notifications.push(json!({
            "level": "note",
            "message": { "text": line },
            "properties": { "not_shown": scan.not_shown.findings },
        }));
    }
    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(scan.errors.is_empty()));
    if !notifications.is_empty() {
        invocation.insert(
            "toolExecutionNotifications".into(),
            Value::Array(notifications),
        );
    }
    let cwd = std::env::current_dir().ok().map(|cwd| {
        let mut dir = cwd.to_string_lossy().replace('\\', "/");
        if !dir.ends_with('/') {
            dir.push('/');
        }
        file_uri(&dir)
    });
    if let Some(cwd) = &cwd {
        invocation.insert("workingDirectory".into(), json!({ "uri": cwd }));
    }

    let mut run = Map::new();
    run.insert("tool".into(), json!({ "driver": driver }));
    run.insert("invocations".into(), json!([invocation]));
    if let Some(cwd) = &cwd {
        run.insert(
            "originalUriBaseIds".into(),
            json!({ SRCROOT: { "uri": cwd, "description": { "text": "The directory aksguard ran in." } } }),
        );
    }
    run.insert("columnKind".into(), json!("unicodeCodePoints"));
    let document = Document {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run { run, results }],
    };
    super::write_json(&document, out)
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

/// The SARIF log, written with its results built one at a time.
#[derive(serde::Serialize)]
struct Document<R: serde::Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

/// A run: its other properties, then `results` last, as before.
#[derive(serde::Serialize)]
struct Run<R: serde::Serialize> {
    #[serde(flatten)]
    run: Map<String, Value>,
    results: R,
}

fn repository() -> String {
    let repository = REPOSITORY.trim_end_matches('/');
    repository
        .strip_suffix(".git")
        .unwrap_or(repository)
        .to_string()
}

/// The published documentation of a rule: what `aksguard rule <ID>` prints.
pub(crate) fn rule_doc_url(id: &str) -> String {
    format!("{}/blob/main/rules/{id}.md", repository())
}

/// helpUri: rules link to their documentation file, `<repository>/blob/main/rules/<ID>.md`
/// (the file `aksguard rule <ID>` prints, on the default branch), engine diagnostics too.
fn help_uri(repository: &str, d: &rules::Meta) -> String {
    format!("{repository}/blob/main/rules/{}.md", d.id)
}

fn descriptor(d: &rules::Meta, repository: &str) -> Value {
    let full = section(d.doc, "What it checks").unwrap_or(d.summary);
    let help_text = section(d.doc, "Fix")
        .or_else(|| section(d.doc, "What to do"))
        .unwrap_or(d.summary);
    let mut properties = Map::new();
    properties.insert(
        "security-severity".into(),
        json!(security_severity(d.severity)),
    );
    // GitHub reads security-severity only for rules tagged "security": engine diagnostics
    // are about the scan, not about the infrastructure.
    // The attack surface as `surface:<name>`, a tag code-scanning UIs filter on.
    let kind = if d.engine {
        "aksguard-engine"
    } else {
        "security"
    };
    let mut tags = vec![kind.to_string(), format!("surface:{}", d.surface.as_str())];
    // The compliance references of the rule document (README "References"):
    // `azure-policy/<guid>`, `mcsb/NS-2`, `cis-aks-1.8.0/5.4.1`.
    if let Ok(references) = crate::rules::references::parse(d.doc) {
        for tag in references.found.iter().map(|r| r.tag()) {
            // SARIF's tags are unique items; two sources may name one control.
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    let tags = json!(tags);
    properties.insert("tags".into(), tags);
    properties.insert("severity".into(), json!(d.severity.as_str()));
    if !d.peers.is_empty() {
        properties.insert("peerIds".into(), json!(d.peers));
    }
    json!({
        "id": d.id,
        "name": pascal_case(d.slug),
        "shortDescription": { "text": d.summary },
        "fullDescription": { "text": full },
        "defaultConfiguration": { "level": level(d.severity) },
        "helpUri": help_uri(repository, d),
        "help": { "text": help_text, "markdown": d.doc },
        "properties": properties,
    })
}

/// `{"text": ...}`.
#[derive(serde::Serialize)]
struct Text<'a> {
    text: &'a str,
}

/// A result's location: where the finding is, and its label.
#[derive(serde::Serialize)]
struct ResultLocation<'a> {
    #[serde(rename = "physicalLocation")]
    physical_location: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

/// A place a finding's note points at.
#[derive(serde::Serialize)]
struct RelatedLocation<'a> {
    id: usize,
    #[serde(rename = "physicalLocation")]
    physical_location: Value,
    message: Text<'a>,
}

/// `{"aksguard/v1": "<fingerprint>"}`.
struct Fingerprints(String);

impl serde::Serialize for Fingerprints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(FINGERPRINT, &self.0)?;
        map.end()
    }
}

#[derive(serde::Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    landing_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// One SARIF result, borrowed from its finding and serialized as it is: building a
/// `serde_json::Value` of it cost a map insertion (and a hash) per member.
#[derive(serde::Serialize)]
struct SarifResult<'a> {
    #[serde(rename = "ruleId")]
    rule_id: &'a str,
    #[serde(rename = "ruleIndex", skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [ResultLocation<'a>; 1],
    #[serde(rename = "relatedLocations", skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[Value; 1]>,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Value; 1]>,
    properties: ResultProperties<'a>,
}

fn result<'a>(
    scan: &'a Scan,
    f: &'a Finding,
    rule_index: Option<usize>,
    occurrence: usize,
) -> SarifResult<'a> {
    let path = scan.sources.get(f.at.file).display.as_str();
    let related_locations = f
        .notes
        .iter()
        .enumerate()
        .map(|(i, (loc, note))| RelatedLocation {
            id: i,
            physical_location: physical_location(&scan.sources, *loc),
            message: Text { text: note },
        })
        .collect();
    // Display-only fixes are not offered: the file is generated and would be overwritten.
    let fixes = crate::fix::render(&scan.sources, f)
        .filter(|fix| fix.applicability != crate::fix::Applicability::DisplayOnly)
        .map(|fix| [sarif_fix(scan, &fix)]);
    let occurrence = occurrence.to_string();
    let fingerprint = fnv1a64(&[f.rule, path, &f.resource, &occurrence]);
    SarifResult {
        rule_id: f.rule,
        rule_index,
        level: level(f.severity),
        message: Text { text: &f.message },
        locations: [ResultLocation {
            physical_location: physical_location(&scan.sources, f.at),
            message: (!f.label.is_empty()).then_some(Text { text: &f.label }),
        }],
        related_locations,
        fixes,
        partial_fingerprints: Fingerprints(format!("{fingerprint:016x}")),
        suppressions: f.suppressed.then(|| [suppression(scan, f)]),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            resource: &f.resource,
            landing_zone: f.landing_zone.as_deref(),
            source: f.source.as_deref(),
        },
    }
}

/// A suppressed finding's `suppressions` entry: `inSource` when an `aksguard:ignore` comment
/// naming the rule sits on the finding's line or the lines just above it, else `external`
/// (`aksguard.toml` or a baseline).
fn suppression(scan: &Scan, f: &Finding) -> Value {
    let kind = if suppressed_in_source(&scan.sources, f) {
        "inSource"
    } else {
        "external"
    };
    json!({ "kind": kind, "justification": justification(f) })
}

/// The reason written with the suppression ("baseline" for a baseline entry).
fn justification(f: &Finding) -> &str {
    f.suppression
        .as_deref()
        .filter(|reason| !reason.trim().is_empty())
        .unwrap_or("suppressed")
}

/// Whether the suppression is written in the finding's file: an `aksguard:ignore` comment
/// naming the rule on the finding's line or the line above, an ARM
/// `metadata.aksguard.ignore` entry or a Kubernetes `aksguard.io/ignore` annotation naming
/// it. The alternative is `aksguard.toml` or a baseline.
fn suppressed_in_source(sources: &Sources, f: &Finding) -> bool {
    let file = sources.get(f.at.file);
    let (line, _) = file.line_col(f.at.start);
    let names_rule = |text: &str| {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word.eq_ignore_ascii_case(f.rule))
    };
    let arm_metadata = file.text.contains("\"aksguard\"");
    file.text.lines().enumerate().any(|(index, text)| {
        if let Some(at) = text.find("aksguard:ignore") {
            let rules = text[at..].split("--").next().unwrap_or("");
            return (index + 1 == line || index + 2 == line) && names_rule(rules);
        }
        let annotation = text.contains("aksguard.io/ignore");
        let metadata = arm_metadata && text.contains("\"rule\"");
        (annotation || metadata) && names_rule(text)
    })
}

fn notification(sources: &Sources, e: &Problem, rule_index: Option<usize>) -> Value {
    let physical = match e.at {
        Some(loc) => physical_location(sources, loc),
        None => json!({ "artifactLocation": artifact_location(&e.path) }),
    };
    let mut object = Map::new();
    object.insert("level".into(), json!("error"));
    object.insert("message".into(), json!({ "text": e.message }));
    object.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical }]),
    );
    let mut rule = Map::new();
    rule.insert("id".into(), json!(e.rule));
    if let Some(i) = rule_index {
        rule.insert("index".into(), json!(i));
    }
    object.insert("associatedRule".into(), Value::Object(rule));
    Value::Object(object)
}

fn physical_location(sources: &Sources, loc: Loc) -> Value {
    let span = span_lines(sources, loc);
    json!({
        "artifactLocation": artifact_location(&sources.get(loc.file).display),
        "region": {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        },
    })
}

/// A fix as SARIF byte replacements, one artifactChange per file it touches.
fn sarif_fix(scan: &Scan, fix: &crate::fix::Fix) -> Value {
    let mut changes: Vec<(crate::source::FileId, Vec<Value>)> = Vec::new();
    for edit in &fix.edits {
        let replacement = json!({
            "deletedRegion": {"byteOffset": edit.start, "byteLength": edit.end - edit.start},
            "insertedContent": {"text": edit.content},
        });
        match changes.iter_mut().find(|(file, _)| *file == edit.file) {
            Some((_, replacements)) => replacements.push(replacement),
            None => changes.push((edit.file, vec![replacement])),
        }
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(file, replacements)| {
            json!({
                "artifactLocation": artifact_location(&scan.sources.get(file).display),
                "replacements": replacements,
            })
        })
        .collect();
    json!({
        "description": {"text": format!("{} ({})", fix.title, fix.applicability.as_str())},
        "artifactChanges": changes,
    })
}

/// A display path as an artifactLocation: relative to `%SRCROOT%` when relative, else an
/// absolute `file://` URI without a base.
fn artifact_location(display: &str) -> Value {
    let mut path = display.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    if is_absolute(&path) {
        json!({ "uri": file_uri(&path) })
    } else {
        json!({ "uri": encode_path(&path), "uriBaseId": SRCROOT })
    }
}

fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && bytes[2] == b'/')
}

/// `file://` URI of an absolute path with forward slashes (`/a/b` or `C:/a/b`).
fn file_uri(path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) => format!("file:///{}", encode_path(rest)),
        // A Windows drive letter keeps its colon: file:///C:/...
        None => format!("file:///{}{}", &path[..2], encode_path(&path[2..])),
    }
}

/// Percent-encodes everything in a path but RFC 3986 unreserved characters, `/`, `@` and
/// the sub-delimiters, so the result is a valid URI reference (a `:` would read as a scheme).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The body of a `## title` section of a rule's markdown, without fenced code confusing it.
pub(crate) fn section<'a>(doc: &'a str, title: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    let mut fenced = false;
    for line in doc.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && trimmed.starts_with("## ") {
            if let Some(s) = start {
                return Some(doc[s..offset].trim()).filter(|t| !t.is_empty());
            }
            if trimmed[3..].trim() == title {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start.map(|s| doc[s..].trim()).filter(|t| !t.is_empty())
}

/// `local-accounts-enabled` -> `LocalAccountsEnabled`.
fn pascal_case(slug: &str) -> String {
    slug.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High | Severity::Error => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info | Severity::Error => "1.0",
    }
}

/// FNV-1a 64 over the parts joined by NUL bytes.
fn fnv1a64(parts: &[&str]) -> u64 {
    parts
        .join("\0")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash: u64, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
}

/// Scans for the reporters' tests: real findings from `engine::lint` on scratch files.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::config::Config;
    use crate::engine::{self, Scan};
    use crate::source::Sources;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The cluster of integrations.py's suppression probe: AKS005 (local accounts) and more.
    pub const CLUSTER: &str = r#"resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "probe"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "probe"
  private_cluster_enabled = true
  azure_policy_enabled    = true
  local_account_disabled  = var.local_off
  # aksguard:ignore AKS016 -- system pool exception, ticket OPS-2
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
  identity {
    type = "SystemAssigned"
  }
}

variable "local_off" {
  default = false
}
"#;

    /// A Terraform file that does not parse (AG001).
    pub const BROKEN: &str = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  name = \n";

    /// Lints `files` (relative path, text) written to a scratch directory.
    pub fn lint(name: &str, files: &[(&str, &str)]) -> (PathBuf, Scan) {
        // Tests run in parallel: every call gets its own directory.
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir()
            .join(format!("aksguard-report-{}-{call}", std::process::id()))
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let scan = engine::lint(&engine::Request::new(
            std::slice::from_ref(&dir),
            &Config::default_for(&dir),
        ));
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
        (dir, scan)
    }

    /// The same scan as if run from the scratch directory: display paths become
    /// `prefix/<path below the directory>`, relative like those of a scan of `.`.
    pub fn relative(name: &str, prefix: &str, files: &[(&str, &str)]) -> Scan {
        let (dir, mut scan) = lint(name, files);
        let mut sources = Sources::default();
        for file in scan.sources.iter() {
            let below = file.path.strip_prefix(&dir).unwrap();
            sources.add(PathBuf::from(prefix).join(below), file.text.clone());
        }
        for error in &mut scan.errors {
            if let Some(at) = error.at {
                error.path = sources.get(at.file).display.clone();
            }
        }
        scan.sources = sources;
        scan
    }

    /// A scan with findings, one of them suppressed, and a parse error; relative paths
    /// with characters every format has to escape.
    pub fn mixed() -> Scan {
        let mut scan = relative(
            "mixed",
            "lz 0001,a:b%",
            &[("terraform/main.tf", CLUSTER), ("broken/main.tf", BROKEN)],
        );
        assert!(scan.findings.len() >= 3, "{:?}", scan.findings);
        assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors.len());
        let aks005 = scan
            .findings
            .iter_mut()
            .find(|f| f.rule == "AKS005")
            .expect("AKS005 fires");
        aks005.message =
            "local accounts: enabled, 100% <bad> & \"quoted\"\nsecond line]; ok".into();
        let inline = scan.findings.iter().find(|f| f.rule == "AKS016").unwrap();
        assert!(inline.suppressed, "the inline suppression applies");
        let other = scan
            .findings
            .iter_mut()
            .find(|f| f.rule == "AKS004")
            .unwrap();
        other.suppressed = true;
        other.suppression = Some("baseline".into());
        scan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(scan: &Scan) -> Value {
        serde_json::from_str(&render(scan)).expect("SARIF is JSON")
    }

    #[test]
    fn one_run_with_every_rule_described() {
        let doc = document(&fixture::mixed());
        assert_eq!(doc["version"], "2.1.0");
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "aksguard");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(
            rules.len(),
            rules::ALL.len() + rules::ENGINE_DIAGNOSTICS.len()
        );
        for rule in rules {
            for key in [
                "id",
                "name",
                "shortDescription",
                "fullDescription",
                "help",
                "helpUri",
            ] {
                assert!(rule.get(key).is_some(), "{key} missing in {rule}");
            }
            assert!(rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains(rule["id"].as_str().unwrap()));
            let severity = rule["properties"]["security-severity"].as_str().unwrap();
            assert!(severity.parse::<f64>().is_ok());
        }
        let aks005 = rules.iter().find(|r| r["id"] == "AKS005").unwrap();
        assert_eq!(aks005["name"], "LocalAccountsEnabled");
        assert_eq!(aks005["properties"]["security-severity"], "8.0");
        assert_eq!(
            aks005["properties"]["tags"],
            json!([
                "security",
                "surface:cluster",
                "azure-policy/993c2fcd-2b29-49d2-9eb0-df2c3a730c32",
                "mcsb/PA-1",
                "mcsb/IM-1"
            ])
        );
        assert_eq!(aks005["defaultConfiguration"]["level"], "error");
        assert_eq!(
            aks005["properties"]["peerIds"],
            json!(["CKV_AZURE_141", "Azure Policy 993c2fcd"])
        );
        let full = aks005["fullDescription"]["text"].as_str().unwrap();
        assert!(full.starts_with("Reports an AKS cluster"), "{full}");
        assert!(!full.contains("## "), "{full}");
        assert!(aks005["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("/blob/main/rules/AKS005.md"));
        let ag001 = rules.iter().find(|r| r["id"] == "AG001").unwrap();
        assert_eq!(ag001["name"], "ParseError");
        assert_eq!(ag001["defaultConfiguration"]["level"], "error");
        // An engine diagnostic has no compliance references.
        assert_eq!(
            ag001["properties"]["tags"],
            json!(["aksguard-engine", "surface:engine"])
        );
        let k8s008 = rules.iter().find(|r| r["id"] == "K8S008").unwrap();
        assert_eq!(
            k8s008["properties"]["tags"],
            json!([
                "security",
                "surface:application",
                "azure-policy/47a1ee2f-2a2a-4576-bf2a-e0e36709c2b8",
                "azure-policy/82985f06-dc18-4a48-bc1c-b9f4f0098cfe",
                "mcsb/PV-2",
                "cis-aks-1.8.0/4.2.2",
                "cis-aks-1.8.0/4.2.3",
                "cis-aks-1.8.0/4.2.4"
            ])
        );
    }

    #[test]
    fn a_result_per_finding_with_relative_locations() {
        let scan = fixture::mixed();
        let doc = document(&scan);
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), scan.findings.len());
        let mut fingerprints = std::collections::HashSet::new();
        for (result, finding) in results.iter().zip(&scan.findings) {
            assert_eq!(result["ruleId"], finding.rule);
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], finding.rule);
            let location = &result["locations"][0]["physicalLocation"];
            let uri = location["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.starts_with("lz%200001,a%3Ab%25/terraform/"), "{uri}");
            assert_eq!(location["artifactLocation"]["uriBaseId"], SRCROOT);
            let span = span_lines(&scan.sources, finding.at);
            assert_eq!(
                location["region"],
                json!({"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column})
            );
            assert_eq!(result["properties"]["resource"], finding.resource.as_str());
            let fingerprint = result["partialFingerprints"][FINGERPRINT].as_str().unwrap();
            assert_eq!(fingerprint.len(), 16);
            assert!(fingerprints.insert(fingerprint.to_string()));
            assert_eq!(result["suppressions"].is_array(), finding.suppressed);
        }
        let aks005 = results.iter().find(|r| r["ruleId"] == "AKS005").unwrap();
        assert_eq!(aks005["level"], "error");
        assert!(aks005["message"]["text"]
            .as_str()
            .unwrap()
            .contains("\nsecond line"));
        // The value comes from the variable default: a related location points at it.
        let related = aks005["relatedLocations"].as_array().unwrap();
        assert!(!related.is_empty());
        assert!(
            related[0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                > 16
        );
        let suppressions: Vec<(&Value, &Value)> = results
            .iter()
            .filter_map(|r| Some((&r["ruleId"], r["suppressions"].as_array()?.first()?)))
            .collect();
        assert_eq!(
            suppressions,
            [
                (
                    &json!("AKS004"),
                    &json!({"kind": "external", "justification": "baseline"})
                ),
                (
                    &json!("AKS016"),
                    &json!({"kind": "inSource", "justification": "system pool exception, ticket OPS-2"})
                ),
            ]
        );
        assert!(run["originalUriBaseIds"][SRCROOT]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///"));
    }

    #[test]
    fn parse_errors_are_notifications() {
        let doc = document(&fixture::mixed());
        let invocation = &doc["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["level"], "error");
        assert_eq!(notes[0]["associatedRule"]["id"], "AG001");
        let location = &notes[0]["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/broken/main.tf"));
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let index = notes[0]["associatedRule"]["index"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], "AG001");

        let (_, clean) = fixture::lint("clean", &[("main.tf", fixture::CLUSTER)]);
        let doc = document(&clean);
        let invocation = &doc["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true);
        assert!(invocation.get("toolExecutionNotifications").is_none());
    }

    #[test]
    fn absolute_paths_are_file_uris_without_a_base() {
        let (_, scan) = fixture::lint("absolute", &[("main.tf", fixture::CLUSTER)]);
        let doc = document(&scan);
        let artifact =
            &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().unwrap();
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(uri.ends_with("/absolute/main.tf"), "{uri}");
        assert!(artifact.get("uriBaseId").is_none());
    }

    #[test]
    fn fingerprints_are_stable_and_count_duplicates() {
        let mut scan = fixture::mixed();
        let first = document(&scan)["runs"][0]["results"][0]["partialFingerprints"].clone();
        // Moving a finding (other lines) keeps its fingerprint; a duplicate of the same
        // rule, path and resource gets its own.
        scan.findings[0].at.start += 1;
        let copy = scan.findings[0].clone();
        scan.findings.push(copy);
        let doc = document(&scan);
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results[0]["partialFingerprints"], first);
        assert_ne!(results.last().unwrap()["partialFingerprints"], first);
    }

    #[test]
    fn helpers() {
        assert_eq!(fnv1a64(&[""]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(&["a"]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a64(&["ab", "c"]), fnv1a64(&["a", "bc"]));
        assert_eq!(
            pascal_case("local-accounts-enabled"),
            "LocalAccountsEnabled"
        );
        assert_eq!(encode_path("a b/ü:c"), "a%20b/%C3%BC%3Ac");
        assert_eq!(file_uri("/tmp/a b"), "file:///tmp/a%20b");
        assert_eq!(file_uri("C:/x/y"), "file:///C:/x/y");
        assert_eq!(
            artifact_location("./lz/main.tf"),
            json!({"uri": "lz/main.tf", "uriBaseId": SRCROOT})
        );
        let doc = "# X\n\n## What it checks\n\nBody.\n\n```yaml\n## not a heading\n```\n\n## Why\n\nBecause.\n";
        assert_eq!(
            section(doc, "What it checks"),
            Some("Body.\n\n```yaml\n## not a heading\n```")
        );
        assert_eq!(section(doc, "Why"), Some("Because."));
        assert_eq!(section(doc, "Fix"), None);
        for rule in rules::ALL {
            assert!(section(rule.doc, "What it checks").is_some(), "{}", rule.id);
        }
    }
}
