//! `--format github`: GitHub Actions workflow commands, one annotation per unsuppressed
//! finding:
//!
//! ```text
//! ::error file=lz0001/terraform/main.tf,line=8,col=3,endLine=8,endColumn=35,title=AKS005 local-accounts-enabled::Local accounts ...
//! ```
//!
//! `error` for critical and high, `warning` for medium and low, `notice` for info. Engine
//! errors (AG001, AG004) are plain `aksguard: ...` lines, not annotations, and a plain
//! summary line ends the output. Findings left out because they lie in files not named on
//! the command line are counted in a `::notice` without a file.

use super::span_lines;
use crate::finding::{Finding, Scan};
use crate::severity::Severity;
use std::fmt::Write as _;

/// GitHub's workflow commands.
struct Github;

impl super::CiLog for Github {
    fn finding(&self, scan: &Scan, finding: &Finding) -> String {
        annotation(scan, finding)
    }

    fn not_shown(&self, line: &str) -> String {
        // A notice without a file: shown in the run's annotations, not on a line.
        format!("::notice title=aksguard::{}\n", data(line))
    }

    fn plain(&self, text: &str) -> String {
        plain(text)
    }

    /// Every line starting with `::` is an annotation written here; `##[` in any line would
    /// be a v1 command.
    fn no_other_commands(&self, text: &str) -> String {
        super::escape::no_commands(text, |line| line.starts_with("::").then_some(0))
    }
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    super::write_ci_log(&Github, scan, out)
}

/// One finding's annotation line.
fn annotation(scan: &Scan, finding: &Finding) -> String {
    let span = span_lines(&scan.sources, finding.at);
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        command(finding.severity),
        property(&scan.sources.get(finding.at.file).display),
        span.line,
        span.column,
        span.end_line,
        span.end_column,
        property(&format!("{} {}", finding.rule, finding.slug)),
        data(&message(scan, finding)),
    )
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High | Severity::Error => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "notice",
    }
}

/// The annotation's text: the message, the resource, where the value comes from, the fix.
fn message(scan: &Scan, f: &Finding) -> String {
    let mut text = f.message.trim().to_string();
    if !f.resource.is_empty() {
        let _ = write!(text, " [{}]", f.resource);
    }
    if let Some(source) = &f.source {
        let _ = write!(text, " (from {source})");
    }
    for (loc, note) in &f.notes {
        let _ = write!(text, "\nnote: {note} at {}", scan.sources.short_ref(*loc));
    }
    if !f.help.trim().is_empty() {
        let _ = write!(text, "\nhelp: {}", f.help.trim());
    }
    text
}

/// A line that is not a workflow command: line breaks become spaces, so no text of a
/// scanned file can start a line with `::`.
fn plain(text: &str) -> String {
    super::escape::one_line(&text.replace("\r\n", " ").replace(['\r', '\n'], " ")).into_owned()
}

/// Escaping of a workflow command's message; other control characters made visible.
fn data(text: &str) -> String {
    super::escape::line_breaks_kept(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sarif::fixture;

    /// The properties of an annotation line, the way integrations.py reads them.
    fn parse(line: &str) -> (String, Vec<(String, String)>, String) {
        let rest = line.strip_prefix("::").unwrap();
        let (command, rest) = rest.split_once(' ').unwrap();
        let (props, message) = rest.split_once("::").unwrap();
        let props = props
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        (command.to_string(), props, message.to_string())
    }

    #[test]
    fn one_annotation_per_unsuppressed_finding() {
        let scan = fixture::mixed();
        let out = render(&scan);
        let active: Vec<&Finding> = scan.findings.iter().filter(|f| !f.suppressed).collect();
        let annotations: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
        assert_eq!(annotations.len(), active.len(), "{out}");
        for (line, finding) in annotations.iter().zip(&active) {
            let (command, props, message) = parse(line);
            assert_eq!(command, super::command(finding.severity));
            let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                keys,
                ["file", "line", "col", "endLine", "endColumn", "title"]
            );
            assert!(props[1].1.parse::<usize>().unwrap() >= 1);
            assert_eq!(props[5].1, format!("{} {}", finding.rule, finding.slug));
            // Property values escape `:` and `,`; nothing of them leaks into the split.
            assert_eq!(props[0].1, "lz 0001%2Ca%3Ab%25/terraform/main.tf");
            assert!(!message.is_empty() && !message.starts_with(' '));
            assert!(!message.contains('\n'));
        }
        let aks005 = annotations
            .iter()
            .find(|l| l.contains("title=AKS005 "))
            .unwrap();
        assert!(aks005.starts_with("::error "));
        assert!(
            aks005.contains("::local accounts: enabled, 100%25 <bad> & \"quoted\"%0Asecond line]; ok [azurerm_kubernetes_cluster.aks]"),
            "{aks005}"
        );
        assert!(aks005.contains("%0Anote: "), "{aks005}");
    }

    #[test]
    fn errors_and_summary_are_plain_lines() {
        let scan = fixture::mixed();
        let out = render(&scan);
        let plain: Vec<&str> = out.lines().filter(|l| !l.starts_with("::")).collect();
        assert_eq!(plain.len(), 2, "{out}");
        assert!(plain[0].starts_with("aksguard: AG001 parse-error: lz 0001,a:b%/broken/main.tf:"));
        assert!(out.lines().last().unwrap().contains(" finding"));
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn escaping() {
        assert_eq!(data("100%\r\nx: y, z"), "100%25%0D%0Ax: y, z");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(plain("a\n::error x"), "a ::error x");
        assert_eq!(command(Severity::Info), "notice");
        assert_eq!(command(Severity::Low), "warning");
        assert_eq!(command(Severity::Critical), "error");
    }
}
