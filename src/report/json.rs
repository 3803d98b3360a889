//! `--format json`: the stable schema of DESIGN §7 (version 1).

use super::{span_lines, LineSpan};
use crate::finding::Scan;
use serde_json::{json, Map, Value};

/// The report's top level, in the schema's key order.
#[derive(serde::Serialize)]
struct Document<F: serde::Serialize> {
    version: u32,
    findings: F,
    errors: Vec<Value>,
    summary: Value,
}

pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    let findings = super::ParallelArray {
        items: &scan.findings,
        indent: 4,
        element: |_, f: &crate::finding::Finding| {
            let span = span_lines(&scan.sources, f.at);
            let mut object = Map::new();
            object.insert("rule".into(), json!(f.rule));
            object.insert("slug".into(), json!(f.slug));
            object.insert("severity".into(), json!(f.severity.as_str()));
            object.insert("message".into(), json!(f.message));
            object.insert("path".into(), json!(scan.sources.get(f.at.file).display));
            object.insert("line".into(), json!(span.line));
            object.insert("column".into(), json!(span.column));
            object.insert("end_line".into(), json!(span.end_line));
            object.insert("end_column".into(), json!(span.end_column));
            object.insert("resource".into(), json!(f.resource));
            if let Some(zone) = &f.landing_zone {
                object.insert("landing_zone".into(), json!(zone));
            }
            if let Some(source) = &f.source {
                object.insert("source".into(), json!(source));
            }
            object.insert("suppressed".into(), json!(f.suppressed));
            if let Some(reason) = &f.suppression {
                object.insert("justification".into(), json!(reason));
            }
            object.insert("help".into(), json!(f.help));
            if let Some(fix) = crate::fix::render(&scan.sources, f) {
                object.insert("fix".into(), fix_json(scan, &fix));
            }
            let related: Vec<Value> = f
                .notes
                .iter()
                .map(|(loc, note)| {
                    let LineSpan { line, column, .. } = span_lines(&scan.sources, *loc);
                    json!({"path": scan.sources.get(loc.file).display, "line": line, "column": column, "message": note})
                })
                .collect();
            if !related.is_empty() {
                object.insert("related".into(), Value::Array(related));
            }
            Value::Object(object)
        },
    };
    let errors: Vec<Value> = scan
        .errors
        .iter()
        .map(|e| {
            let mut object = Map::new();
            object.insert("rule".into(), json!(e.rule));
            object.insert("path".into(), json!(e.path));
            let (line, column) =
                e.at.map(|loc| {
                    let LineSpan {
                        line: l, column: c, ..
                    } = span_lines(&scan.sources, loc);
                    (l, c)
                })
                .unwrap_or((1, 1));
            object.insert("line".into(), json!(line));
            object.insert("column".into(), json!(column));
            object.insert("message".into(), json!(e.message));
            Value::Object(object)
        })
        .collect();
    let document = Document {
        version: 1,
        findings,
        errors,
        summary: json!({
            "files": scan.files,
            "resources": scan.resources,
            "findings": scan.findings.iter().filter(|f| !f.suppressed).count(),
            "errors": scan.errors.len(),
            "duration_ms": scan.duration.as_millis() as u64,
            "not_shown": scan.not_shown.findings,
        }),
    };
    super::write_json(&document, out)
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

/// Edits as byte offsets (for tools that patch bytes) and 1-based lines and character
/// columns (for people), like the finding's own location.
fn fix_json(scan: &Scan, fix: &crate::fix::Fix) -> Value {
    let edits: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            let loc = crate::source::Loc::new(edit.file, edit.start, edit.end);
            let span = span_lines(&scan.sources, loc);
            json!({
                "path": scan.sources.get(edit.file).display,
                "start": edit.start,
                "end": edit.end,
                "line": span.line,
                "column": span.column,
                "end_line": span.end_line,
                "end_column": span.end_column,
                "content": edit.content,
            })
        })
        .collect();
    json!({"applicability": fix.applicability.as_str(), "message": fix.title, "edits": edits})
}
