//! Human output: miette reports with the source snippet, labels and help, then one summary line.

use crate::engine::Scan;
use crate::fix::Applicability;
use crate::severity::Severity;
use crate::source::SourceFile;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Report, SourceCode, SourceSpan, SpanContents,
};

/// Lines longer than this (minified JSON, generated HCL) are not shown as a snippet.
const MAX_SNIPPET_LINE: usize = 400;
/// Lines of context kept around the labels.
const CONTEXT_LINES: usize = 3;

/// The lines of a file around a report's labels, so miette copies and scans only those and
/// not the whole file once per finding.
struct Excerpt {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    start: usize,
    /// 0-based line of `text`'s first line in the file.
    first_line: usize,
}

impl Excerpt {
    /// None when a label sits on a line too long to show.
    fn around(file: &SourceFile, spans: &[(usize, usize)]) -> Option<Excerpt> {
        let line_of = |offset: usize| file.line_col(offset as u32).0;
        let first = spans.iter().map(|s| line_of(s.0)).min()?;
        let last = spans.iter().map(|s| line_of(s.0 + s.1)).max()?;
        let line_end = |line: usize| file.line_start(line + 1).unwrap_or(file.text.len());
        for &(offset, _) in spans {
            let line = line_of(offset);
            if line_end(line) - file.line_start(line)? > MAX_SNIPPET_LINE {
                return None;
            }
        }
        let first = first.saturating_sub(CONTEXT_LINES).max(1);
        let start = file.line_start(first)?;
        let end = line_end(last + CONTEXT_LINES);
        Some(Excerpt {
            name: file.display.clone(),
            text: file.text.get(start..end)?.to_string(),
            start,
            first_line: first - 1,
        })
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.start).into(), span.len());
        let inner = self
            .text
            .read_span(&local, context_lines_before, context_lines_after)?;
        let global = SourceSpan::new(
            (inner.span().offset() + self.start).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            global,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A report with the snippet around its labels, or, when the lines are too long to show,
/// the bare location in its help.
fn with_snippet(
    diagnostic: MietteDiagnostic,
    file: &SourceFile,
    at: (usize, usize),
    help: Option<String>,
) -> Report {
    let mut spans: Vec<(usize, usize)> = diagnostic
        .labels
        .iter()
        .flatten()
        .map(|l| (l.offset(), l.len()))
        .collect();
    spans.push(at);
    match Excerpt::around(file, &spans) {
        Some(excerpt) => {
            let diagnostic = match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            };
            Report::new(diagnostic).with_source_code(excerpt)
        }
        None => {
            let (line, column) = file.line_col(at.0 as u32);
            let place = format!("at {}:{line}:{column}", file.display);
            let help = match help {
                Some(help) => format!("{place}\n{help}"),
                None => place,
            };
            let mut diagnostic = diagnostic.with_help(help);
            diagnostic.labels = None;
            Report::new(diagnostic)
        }
    }
}

pub fn render(scan: &Scan, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(110);
    let mut out = String::new();
    for error in &scan.errors {
        let mut diagnostic = MietteDiagnostic::new(error.message.clone())
            .with_code(format!("{} {}", error.rule, error.slug))
            .with_severity(miette::Severity::Error);
        let report = match error.at {
            Some(loc) => {
                let file = scan.sources.get(loc.file);
                let at = (loc.start as usize, (loc.end - loc.start) as usize);
                diagnostic =
                    diagnostic.with_label(LabeledSpan::new(Some("here".to_string()), at.0, at.1));
                with_snippet(diagnostic, file, at, None)
            }
            None => Report::new(diagnostic.with_help(format!("in {}", error.path))),
        };
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    for finding in scan.findings.iter().filter(|f| !f.suppressed) {
        let file = scan.sources.get(finding.at.file);
        let at = (
            finding.at.start as usize,
            (finding.at.end - finding.at.start) as usize,
        );
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(finding.label.clone()),
            at,
        )];
        let mut help = finding.help.clone();
        for (loc, note) in &finding.notes {
            if loc.file == finding.at.file {
                labels.push(LabeledSpan::new(
                    Some(note.clone()),
                    loc.start as usize,
                    (loc.end - loc.start) as usize,
                ));
            } else {
                help.push_str(&format!(
                    "\nnote: {note} at {}",
                    scan.sources.short_ref(*loc)
                ));
            }
        }
        if let Some(fix) = crate::fix::render(&scan.sources, finding) {
            // The help already says what to change; say how to get it done.
            help.push_str(match fix.applicability {
                Applicability::Safe => "\nfix (safe): `aksguard check --fix`",
                Applicability::Unsafe => "\nfix (unsafe): `aksguard check --fix --unsafe-fixes`",
                Applicability::DisplayOnly => {
                    "\nfix (display-only): this file is generated; change its source"
                }
            });
        }
        let mut message = format!("{} [{}]", finding.message, finding.resource);
        if let Some(source) = &finding.source {
            message.push_str(&format!(" (from {source})"));
        }
        let diagnostic = MietteDiagnostic::new(message)
            .with_code(format!("{} {}", finding.rule, finding.slug))
            .with_severity(match finding.severity {
                Severity::Critical | Severity::High | Severity::Error => miette::Severity::Error,
                Severity::Medium | Severity::Low => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            })
            .with_labels(labels);
        let report = with_snippet(diagnostic, file, at, Some(help));
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    if let Some(line) = scan.not_shown.line() {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&summary(scan));
    out.push('\n');
    out
}

pub fn summary(scan: &Scan) -> String {
    let active: Vec<_> = scan.findings.iter().filter(|f| !f.suppressed).collect();
    let mut counts = Vec::new();
    for severity in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let n = active.iter().filter(|f| f.severity == severity).count();
        if n > 0 {
            counts.push(format!("{n} {severity}"));
        }
    }
    let breakdown = if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    };
    // What the scan skipped wholesale (AG005), so "0 findings" is never read as clean.
    let charts = active
        .iter()
        .filter(|f| crate::notice::NotEvaluated::is_chart(f))
        .count();
    let modules = active
        .iter()
        .filter(|f| f.rule == crate::notice::MODULE_NOT_EVALUATED.0)
        .count()
        - charts;
    let mut skipped = String::new();
    if modules > 0 {
        let s = if modules == 1 { "" } else { "s" };
        skipped.push_str(&format!(", {modules} module{s} not evaluated"));
    }
    if charts > 0 {
        let s = if charts == 1 { "" } else { "s" };
        skipped.push_str(&format!(", {charts} chart{s} not rendered"));
    }
    format!(
        "{} finding{}{breakdown} in {} file{} ({} resources){skipped}, {} error{}, {} ms",
        active.len(),
        if active.len() == 1 { "" } else { "s" },
        scan.files,
        if scan.files == 1 { "" } else { "s" },
        scan.resources,
        scan.errors.len(),
        if scan.errors.len() == 1 { "" } else { "s" },
        scan.duration.as_millis()
    )
}
