//! `--format json`: the stable schema of DESIGN §7 (version 1).

use super::{span_lines, LineSpan};
use crate::finding::Scan;
use serde_json::{json, Map, Value};

/// One finding as the schema writes it, fields in the schema's order, optional ones left
/// out when absent; borrowed from the scan, so rendering 50,000 findings builds no maps.
#[derive(serde::Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    slug: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    landing_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
    help: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedJson<'a>>,
}

#[derive(serde::Serialize)]
struct RelatedJson<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct FixJson<'a> {
    applicability: &'a str,
    message: String,
    edits: Vec<EditJson<'a>>,
}

#[derive(serde::Serialize)]
struct EditJson<'a> {
    path: &'a str,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    content: String,
}

/// The schema's top level, in its key order: version, findings, errors, summary.
pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = super::escaping_json_writer(out);
    // The document is written by hand around the findings, which are written as they are
    // rendered: serialized inside it, each would be parsed again.
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": ")?;
    super::write_array(&mut out, &scan.findings, 4, |f| {
        let span = span_lines(&scan.sources, f.at);
        FindingJson {
            rule: f.rule,
            slug: f.slug,
            severity: f.severity.as_str(),
            message: &f.message,
            path: &scan.sources.get(f.at.file).display,
            line: span.line,
            column: span.column,
            end_line: span.end_line,
            end_column: span.end_column,
            resource: &f.resource,
            landing_zone: f.landing_zone.as_deref(),
            source: f.source.as_deref(),
            suppressed: f.suppressed,
            justification: f.suppression.as_deref(),
            help: &f.help,
            fix: crate::fix::render(&scan.sources, f).map(|fix| fix_json(scan, fix)),
            related: f
                .notes
                .iter()
                .map(|(loc, note)| {
                    let LineSpan { line, column, .. } = span_lines(&scan.sources, *loc);
                    RelatedJson {
                        path: &scan.sources.get(loc.file).display,
                        line,
                        column,
                        message: note,
                    }
                })
                .collect(),
        }
    })?;
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
    let summary = json!({
        "files": scan.files,
        "resources": scan.resources,
        "findings": scan.findings.iter().filter(|f| !f.suppressed).count(),
        "errors": scan.errors.len(),
        "duration_ms": scan.duration.as_millis() as u64,
        "not_shown": scan.not_shown.findings,
    });
    out.write_all(b",\n  \"errors\": ")?;
    out.write_all(super::pretty_indented(&errors, 2)?.as_bytes())?;
    out.write_all(b",\n  \"summary\": ")?;
    out.write_all(super::pretty_indented(&summary, 2)?.as_bytes())?;
    out.write_all(b"\n}\n")?;
    out.flush()
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

/// Edits as byte offsets (for tools that patch bytes) and 1-based lines and character
/// columns (for people), like the finding's own location.
fn fix_json(scan: &Scan, fix: crate::fix::Fix) -> FixJson<'_> {
    FixJson {
        applicability: fix.applicability.as_str(),
        message: fix.title,
        edits: fix
            .edits
            .into_iter()
            .map(|edit| {
                let loc = crate::source::Loc::new(edit.file, edit.start, edit.end);
                let span = span_lines(&scan.sources, loc);
                EditJson {
                    path: &scan.sources.get(edit.file).display,
                    start: edit.start,
                    end: edit.end,
                    line: span.line,
                    column: span.column,
                    end_line: span.end_line,
                    end_column: span.end_column,
                    content: edit.content,
                }
            })
            .collect(),
    }
}
