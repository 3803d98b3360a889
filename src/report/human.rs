//! Human output: miette reports with the source snippet, labels and help, then one summary line.

use super::escape;
use crate::finding::{Finding, Problem, Scan};
use crate::fix::Applicability;
use crate::severity::Severity;
use crate::source::SourceFile;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt;
use std::io::Write;

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
        if !file.text_may_be_shown() {
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

/// A diagnostic and the lines it is shown against, rendered as they are: a
/// `miette::Report` around them would set up a report handler of its own for each one,
/// which cost more than a third of the rendering.
struct Shown {
    diagnostic: MietteDiagnostic,
    excerpt: Option<Excerpt>,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.diagnostic, f)
    }
}

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.diagnostic, f)
    }
}

impl std::error::Error for Shown {}

impl Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.diagnostic.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.url()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diagnostic.labels()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.excerpt.as_ref().map(|e| e as &dyn SourceCode)
    }
}

/// A report with the snippet around its labels, or, when the lines are too long to show,
/// the bare location in its help.
fn with_snippet(
    diagnostic: MietteDiagnostic,
    file: &SourceFile,
    at: (usize, usize),
    help: Option<String>,
) -> Shown {
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
            Shown {
                diagnostic,
                excerpt: Some(excerpt),
            }
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
            Shown {
                diagnostic,
                excerpt: None,
            }
        }
    }
}

fn problem_report(scan: &Scan, error: &Problem) -> Shown {
    let diagnostic = MietteDiagnostic::new(escape::one_line(&error.message))
        .with_code(format!("{} {}", error.rule, error.slug))
        .with_severity(miette::Severity::Error);
    match error.at {
        Some(loc) => {
            let file = scan.sources.get(loc.file);
            let at = (loc.start as usize, (loc.end - loc.start) as usize);
            let diagnostic =
                diagnostic.with_label(LabeledSpan::new(Some("here".to_string()), at.0, at.1));
            with_snippet(diagnostic, file, at, None)
        }
        None => Shown {
            diagnostic: diagnostic.with_help(format!("in {}", escape::one_line(&error.path))),
            excerpt: None,
        },
    }
}

fn finding_report(scan: &Scan, finding: &Finding) -> Shown {
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
    with_snippet(diagnostic, file, at, Some(help))
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan, color: bool) -> String {
    super::written(|out| write(scan, color, out))
}

/// How many lines each rendering thread keeps the word boundaries of.
const WORD_CACHE_LINES: usize = 4096;

thread_local! {
    /// Word ends of the lines wrapped so far (by text).
    static WORD_ENDS: std::cell::RefCell<HashMap<Box<str>, std::rc::Rc<[usize]>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// The words miette's wrapping sees in `line` (textwrap's Unicode line-break separator,
/// miette's default), their boundaries kept by line: finding the line-break opportunities
/// was a quarter of a human report's instructions, and most lines (help above all) repeat
/// from finding to finding. The words are consecutive slices of the line, so their ends
/// give them back exactly.
fn cached_unicode_words(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let ends = WORD_ENDS.with_borrow_mut(|cache| {
        if let Some(ends) = cache.get(line) {
            return ends.clone();
        }
        let ends: std::rc::Rc<[usize]> = textwrap::WordSeparator::UnicodeBreakProperties
            .find_words(line)
            .map(|word| {
                word.whitespace.as_ptr() as usize - line.as_ptr() as usize + word.whitespace.len()
            })
            .collect();
        if cache.len() < WORD_CACHE_LINES {
            cache.insert(line.into(), ends.clone());
        }
        ends
    });
    let mut start = 0;
    Box::new((0..ends.len()).map(move |i| {
        let word = textwrap::core::Word::from(&line[start..ends[i]]);
        start = ends[i];
        word
    }))
}

/// Engine errors, then unsuppressed findings, each rendered by miette (in parallel, written
/// in order), then what was not shown and the summary line.
pub fn write(scan: &Scan, color: bool, out: impl std::io::Write) -> std::io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_word_separator(textwrap::WordSeparator::Custom(cached_unicode_words));
    let shown = |report: Shown| {
        let mut text = String::new();
        let _ = handler.render_report(&mut text, &report);
        text.push('\n');
        // Escaped field by field; this pass holds for whatever miette adds around them.
        // Each report is whole lines, so escaping them one by one is escaping the output.
        escape::no_commands(&text, |_| None)
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    super::write_in_order(&scan.errors, &mut out, |error| {
        shown(problem_report(scan, error))
    })?;
    let active: Vec<&Finding> = scan.findings.iter().filter(|f| !f.suppressed).collect();
    super::write_in_order(&active, &mut out, |finding| {
        shown(finding_report(scan, finding))
    })?;
    let mut tail = String::new();
    if let Some(line) = scan.not_shown.line() {
        tail.push_str(&escape::lines(&line));
        tail.push('\n');
    }
    tail.push_str(&summary(scan));
    tail.push('\n');
    out.write_all(escape::no_commands(&tail, |_| None).as_bytes())?;
    out.flush()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sarif::fixture;

    #[test]
    fn cached_words_are_the_unicode_separators_words() {
        let lines = [
            "",
            "   ",
            "Pin the digest: `FROM acr.azurecr.io/build/golang:1.22@sha256:<digest>` (`docker buildx",
            "definition cf426bb8-b320-4321-8545-1b784a5df3a4) to the landing zone; trailing   ",
            "\u{1b}[31mred\u{1b}[0m and   spaces, «guillemets», 日本語のテキスト, emoji 🙂/path",
            "averyveryveryverylongwordwithoutanybreakopportunityatallaaaaaaaaaaaaaaaaaaaaaaaaaaa x",
        ];
        let words = |line| -> Vec<(String, String, String)> {
            cached_unicode_words(line)
                .map(|w| {
                    (
                        w.word.to_string(),
                        w.whitespace.to_string(),
                        w.penalty.to_string(),
                    )
                })
                .collect()
        };
        for line in lines {
            let expected: Vec<(String, String, String)> =
                textwrap::WordSeparator::UnicodeBreakProperties
                    .find_words(line)
                    .map(|w| {
                        (
                            w.word.to_string(),
                            w.whitespace.to_string(),
                            w.penalty.to_string(),
                        )
                    })
                    .collect();
            // Once computed, once from the cache.
            assert_eq!(words(line), expected, "{line:?}");
            assert_eq!(words(line), expected, "{line:?}");
        }
    }

    /// The text without its SGR sequences (`ESC [ parameters m`).
    fn without_colours(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("\x1b[") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let end = after
                .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .unwrap();
            assert_eq!(&after[end..end + 1], "m", "only colours: {after}");
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn colours_are_added_to_the_plain_report_and_nothing_else() {
        let scan = fixture::mixed();
        let plain = render(&scan, false);
        let coloured = render(&scan, true);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert_eq!(without_colours(&coloured), plain);
        // The parse error and a high finding in red, the help in cyan, line numbers dimmed.
        for styled in [
            "\x1b[31mAG001 parse-error\x1b[0m\n",
            "\x1b[31mAKS005 local-accounts-enabled\x1b[0m\n",
            "\x1b[36m  help: \x1b[0m",
            " \x1b[2m8\x1b[0m │   local_account_disabled  = var.local_off\n",
        ] {
            assert!(coloured.contains(styled), "{styled:?} in {coloured}");
        }
    }

    #[test]
    fn errors_then_unsuppressed_findings_in_the_scans_order() {
        let scan = fixture::mixed();
        let out = render(&scan, false);
        let mut codes: Vec<String> = scan
            .errors
            .iter()
            .map(|e| format!("{} {}", e.rule, e.slug))
            .collect();
        codes.extend(
            scan.findings
                .iter()
                .filter(|f| !f.suppressed)
                .map(|f| format!("{} {}", f.rule, f.slug)),
        );
        assert!(codes.len() >= 3, "{codes:?}");
        let headers: Vec<&str> = out
            .lines()
            .filter(|l| codes.iter().any(|c| l == c))
            .collect();
        assert_eq!(headers, codes, "{out}");
        for f in scan.findings.iter().filter(|f| f.suppressed) {
            assert!(!out.contains(&format!("{} {}\n", f.rule, f.slug)), "{out}");
        }
        assert!(out.ends_with(&format!("{}\n", summary(&scan))), "{out}");
    }
}
