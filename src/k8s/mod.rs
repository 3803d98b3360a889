//! Kubernetes manifests (plain or rendered by `helm template`) → one `RawResource` per object.
//!
//! The YAML is read by [`crate::yaml`], which keeps a byte span into the original text for
//! every node and splits documents on `---` lines first so that one broken document does
//! not hide the others.

pub mod charts;

use crate::model::raw::{Format, RawResource};
use crate::source::FileId;
use crate::value::{Kind, Value};

use crate::yaml::{self, is_document_marker, said_templated, split_documents};

pub use crate::yaml::{parse_documents, YamlError, MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_NODES};

/// Kinds whose objects have no namespace, so their address is `Kind/name`.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CustomResourceDefinition",
    "PriorityClass",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "PodSecurityPolicy",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "ClusterIssuer",
];

/// `List` nesting is legal but never deep in practice; the bound only guards recursion.
const MAX_LIST_NESTING: usize = 8;

/// Does this text look like Kubernetes manifests worth parsing? Unrendered Helm/Go templates
/// are not: the caller skips them quietly.
pub fn looks_like_manifests(text: &str) -> bool {
    let mut kind = false;
    let mut api_version = false;
    for line in text.lines() {
        let mut l = line.trim_start();
        while let Some(rest) = l.strip_prefix("- ") {
            l = rest.trim_start();
        }
        kind |= l.starts_with("kind:");
        api_version |= l.starts_with("apiVersion:");
        if kind && api_version {
            break;
        }
    }
    kind && api_version && !is_go_template(text)
}

/// Rendered charts legitimately carry `{{ }}` (Prometheus rule annotations, alertmanager
/// templates in ConfigMaps), so `{{` alone is not enough: a template is recognised by `{{`
/// where YAML structure is, i.e. outside block scalars and not merely inside a value's text.
pub(crate) fn is_go_template(text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    // Template syntax that rendering never leaves behind.
    if [
        ".Values.",
        ".Release.",
        ".Chart.",
        "{{ .Values",
        "{{.Values",
    ]
    .iter()
    .any(|p| text.contains(p))
    {
        return true;
    }
    let mut block_indent: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(bi) = block_indent {
            if trimmed.is_empty() || indent > bi {
                continue;
            }
            block_indent = None;
        }
        let mut l = trimmed;
        while let Some(rest) = l.strip_prefix("- ") {
            l = rest.trim_start();
        }
        if l.starts_with("{{") {
            return true;
        }
        if let Some((_, value)) = l.split_once(": ") {
            let value = value.trim_start();
            // An unquoted value starting with `{{` would be a flow map keyed by a map:
            // never a real manifest, always a template.
            if value.starts_with("{{") {
                return true;
            }
        }
        let code = l.split(" #").next().unwrap_or(l).trim_end();
        let last = code.rsplit(' ').next().unwrap_or("");
        if last.starts_with('|') || last.starts_with('>') {
            block_indent = Some(indent);
        }
    }
    false
}

/// Every Kubernetes object of a (multi-document) YAML text.
pub fn load_manifests(file: FileId, text: &str) -> (Vec<RawResource>, Vec<YamlError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut expanded = 0;
    for piece in split_documents(text) {
        let chunk = &text[piece.start..piece.end];
        let source = helm_source(chunk);
        let (docs, error) = yaml::parse(file, chunk, piece.start, &mut expanded);
        for doc in docs {
            emit(file, doc, source.as_deref(), 0, &mut out);
        }
        if let Some(e) = error {
            errors.push(said_templated(text, e));
        }
    }
    (out, errors)
}

/// `helm template` writes `# Source: chart/templates/x.yaml` right after `---`.
fn helm_source(chunk: &str) -> Option<String> {
    for line in chunk.lines() {
        let l = line.trim();
        if l.is_empty() || is_document_marker(l) {
            continue;
        }
        let comment = l.strip_prefix('#')?;
        if let Some(path) = comment.trim_start().strip_prefix("Source:") {
            let path = path.trim();
            if !path.is_empty() {
                return Some(path.to_string());
            }
        }
    }
    None
}

fn emit(file: FileId, doc: Value, source: Option<&str>, depth: usize, out: &mut Vec<RawResource>) {
    let (Some(kind), Some(_)) = (
        doc.get("kind").and_then(Value::as_str),
        doc.get("apiVersion").and_then(Value::as_str),
    ) else {
        return;
    };
    let kind = kind.to_string();
    if kind.ends_with("List") && depth < MAX_LIST_NESTING {
        if let Some(Kind::List(items)) = doc.get("items").map(|v| &v.kind) {
            for item in items {
                emit(file, item.clone(), source, depth + 1, out);
            }
            return;
        }
    }
    let Some(header) = doc.entry("kind").and_then(|e| e.key_loc).or(doc.loc) else {
        return;
    };
    let metadata = doc.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name"))
        .and_then(Value::to_text)
        .filter(|n| !n.is_empty());
    let shown = name.as_deref().unwrap_or("?");
    let address = if CLUSTER_SCOPED_KINDS.contains(&kind.as_str()) {
        format!("{kind}/{shown}")
    } else {
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Value::to_text)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        format!("{kind}/{namespace}/{shown}")
    };
    out.push(RawResource {
        format: Format::Kubernetes,
        kind,
        address,
        file,
        header,
        body: doc,
        name,
        written_name: None,
        provider_major: None,
        compiled_by_bicep: false,
        existing: false,
        source: source.map(str::to_string),
    });
}

#[cfg(test)]
mod tests;
