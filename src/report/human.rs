//! Human output: miette reports with the source snippet, labels and help, then one summary line.

use crate::engine::Scan;
use crate::fix::Applicability;
use crate::severity::Severity;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

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
                diagnostic = diagnostic.with_label(LabeledSpan::new(
                    Some("here".to_string()),
                    loc.start as usize,
                    (loc.end - loc.start) as usize,
                ));
                Report::new(diagnostic)
                    .with_source_code(NamedSource::new(file.display.clone(), file.text.clone()))
            }
            None => Report::new(diagnostic.with_help(format!("in {}", error.path))),
        };
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    for finding in scan.findings.iter().filter(|f| !f.suppressed) {
        let file = scan.sources.get(finding.at.file);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(finding.label.clone()),
            (
                finding.at.start as usize,
                (finding.at.end - finding.at.start) as usize,
            ),
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
            .with_labels(labels)
            .with_help(help);
        let report = Report::new(diagnostic)
            .with_source_code(NamedSource::new(file.display.clone(), file.text.clone()));
        let _ = handler.render_report(&mut out, report.as_ref());
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
    format!(
        "{} finding{}{breakdown} in {} file{} ({} resources), {} error{}, {} ms",
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
