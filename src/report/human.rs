//! Human output: miette reports with the source snippet, labels and help, then one summary line.

use super::escape;
use crate::finding::Scan;
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
    /// None when a line from the first label to the last is too long to show, or the file
    /// lies outside the scanned paths or holds secrets (a plan): its text is never shown.
    /// Context lines stop before the first line too long to show.
    fn around(file: &SourceFile, spans: &[(usize, usize)]) -> Option<Excerpt> {
        if file.outside || file.holds_secrets {
            return None;
        }
        let line_of = |offset: usize| file.line_col(offset as u32).0;
        let first = spans.iter().map(|s| line_of(s.0)).min()?;
        let last = spans.iter().map(|s| line_of(s.0 + s.1)).max()?;
        let line_end = |line: usize| file.line_start(line + 1).unwrap_or(file.text.len());
        let short = |line: usize| {
            file.line_start(line)
                .is_some_and(|start| line_end(line) - start <= MAX_SNIPPET_LINE)
        };
        if !(first..=last).all(short) {
            return None;
        }
        let mut from = first;
        while from > 1 && first - from < CONTEXT_LINES && short(from - 1) {
            from -= 1;
        }
        let mut to = last;
        while to - last < CONTEXT_LINES && file.line_start(to + 1).is_some() && short(to + 1) {
            to += 1;
        }
        let start = file.line_start(from)?;
        let end = line_end(to);
        Some(Excerpt {
            name: escape::one_line(&file.display).into_owned(),
            text: escape::source(file.text.get(start..end)?).into_owned(),
            start,
            first_line: from - 1,
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
            let place = format!("at {}:{line}:{column}", escape::one_line(&file.display));
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
        let mut diagnostic = MietteDiagnostic::new(escape::one_line(&error.message))
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
            None => {
                Report::new(diagnostic.with_help(format!("in {}", escape::one_line(&error.path))))
            }
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
            Some(escape::one_line(&finding.label).into_owned()),
            at,
        )];
        let mut help = escape::lines(&finding.help).into_owned();
        for (loc, note) in &finding.notes {
            let note = escape::one_line(note);
            if loc.file == finding.at.file {
                labels.push(LabeledSpan::new(
                    Some(note.into_owned()),
                    loc.start as usize,
                    (loc.end - loc.start) as usize,
                ));
            } else {
                help.push_str(&format!(
                    "\nnote: {note} at {}",
                    escape::one_line(&scan.sources.short_ref(*loc))
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
        let mut message = format!(
            "{} [{}]",
            escape::one_line(&finding.message),
            escape::one_line(&finding.resource)
        );
        if let Some(source) = &finding.source {
            message.push_str(&format!(" (from {})", escape::one_line(source)));
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
        out.push_str(&escape::lines(&line));
        out.push('\n');
    }
    out.push_str(&summary(scan));
    out.push('\n');
    // Escaped field by field above; this pass holds for whatever miette adds around them.
    escape::no_commands(&out, |_| None)
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
        .filter(|f| f.rule == crate::catalogue::MODULE_NOT_EVALUATED.id())
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
