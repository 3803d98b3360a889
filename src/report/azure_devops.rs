//! `--format azure-devops`: Azure Pipelines logging commands, one issue per unsuppressed
//! finding:
//!
//! ```text
//! ##vso[task.logissue type=error;sourcepath=lz0001/terraform/main.tf;linenumber=8;columnnumber=3;code=AKS005]Local accounts ...
//! ```
//!
//! `error` for critical and high, `warning` for the rest (the only two issue types). Engine
//! errors (AG001, AG004) are plain `aksguard: ...` lines and a plain summary line ends the
//! output; no other `##vso` command is written (no `task.complete`: the exit code decides).
//! Findings left out because they lie in files not named on the command line are counted
//! on a `##[warning]` log line before the summary.

use super::{span_lines, LineSpan};
use crate::finding::{Finding, Scan};
use crate::severity::Severity;
use std::fmt::Write as _;

/// Azure Pipelines' logging commands.
struct AzureDevOps;

impl super::CiLog for AzureDevOps {
    fn finding(&self, scan: &Scan, finding: &Finding) -> String {
        issue(scan, finding)
    }

    fn not_shown(&self, line: &str) -> String {
        // A highlighted log line rather than an issue: nothing is wrong with the pipeline.
        format!("##[warning]{}\n", plain(line))
    }

    fn plain(&self, text: &str) -> String {
        plain(text)
    }

    /// The commands written here keep their prefix; no other `##vso[` or `##[` is left.
    fn no_other_commands(&self, text: &str) -> String {
        super::escape::no_commands(text, |line| {
            ["##vso[task.logissue ", "##[warning]"]
                .into_iter()
                .find(|prefix| line.starts_with(prefix))
                .map(str::len)
        })
    }
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    super::write_ci_log(&AzureDevOps, scan, out)
}

/// One finding's `task.logissue` line.
fn issue(scan: &Scan, finding: &Finding) -> String {
    let LineSpan { line, column, .. } = span_lines(&scan.sources, finding.at);
    format!(
        "##vso[task.logissue type={};sourcepath={};linenumber={line};columnnumber={column};code={}]{}\n",
        issue_type(finding.severity),
        property(&scan.sources.get(finding.at.file).display),
        property(finding.rule),
        data(&message(finding)),
    )
}

fn issue_type(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High | Severity::Error => "error",
        Severity::Medium | Severity::Low | Severity::Info => "warning",
    }
}

/// The issue's text: the slug (the code is shown apart), message, resource and source.
fn message(f: &Finding) -> String {
    let mut text = format!("{}: {}", f.slug, f.message.trim());
    if !f.resource.is_empty() {
        let _ = write!(text, " [{}]", f.resource);
    }
    if let Some(source) = &f.source {
        let _ = write!(text, " (from {source})");
    }
    text
}

/// A line that is not a logging command. The agent looks for `##vso[` anywhere in a line,
/// so text from scanned files must not carry one; line breaks become spaces.
fn plain(text: &str) -> String {
    let text = text
        .replace("\r\n", " ")
        .replace(['\r', '\n'], " ")
        .replace("##vso[", "##vso%5B");
    super::escape::one_line(&text).into_owned()
}

/// Escaping of a logging command's message (azure-pipelines-task-lib `escapedata`); other
/// control characters made visible.
fn data(text: &str) -> String {
    super::escape::line_breaks_kept(text)
        .replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a logging command's property value (azure-pipelines-task-lib `escape`).
fn property(text: &str) -> String {
    data(text).replace(';', "%3B").replace(']', "%5D")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sarif::fixture;

    #[test]
    fn one_issue_per_unsuppressed_finding() {
        let scan = fixture::mixed();
        let out = render(&scan);
        let active: Vec<&Finding> = scan.findings.iter().filter(|f| !f.suppressed).collect();
        let issues: Vec<&str> = out.lines().filter(|l| l.contains("##vso")).collect();
        assert_eq!(issues.len(), active.len(), "{out}");
        for (line, finding) in issues.iter().zip(&active) {
            let rest = line.strip_prefix("##vso[task.logissue ").unwrap();
            let (props, message) = rest.split_once(']').unwrap();
            let props: Vec<(&str, &str)> = props
                .split(';')
                .map(|kv| kv.split_once('=').unwrap())
                .collect();
            let keys: Vec<&str> = props.iter().map(|(k, _)| *k).collect();
            assert_eq!(
                keys,
                ["type", "sourcepath", "linenumber", "columnnumber", "code"]
            );
            assert_eq!(props[0].1, issue_type(finding.severity));
            assert_eq!(props[1].1, "lz 0001,a:b%AZP25/terraform/main.tf");
            assert!(props[2].1.parse::<usize>().unwrap() >= 1);
            assert_eq!(props[4].1, finding.rule);
            assert!(message.starts_with(finding.slug));
        }
        let aks005 = issues.iter().find(|l| l.contains("code=AKS005]")).unwrap();
        assert!(aks005.starts_with("##vso[task.logissue type=error;"));
        assert!(
            aks005.ends_with("]local-accounts-enabled: local accounts: enabled, 100%AZP25 <bad> & \"quoted\"%0Asecond line]; ok [azurerm_kubernetes_cluster.aks]"),
            "{aks005}"
        );
    }

    #[test]
    fn errors_and_summary_are_plain_lines() {
        let scan = fixture::mixed();
        let out = render(&scan);
        let plain: Vec<&str> = out.lines().filter(|l| !l.starts_with("##vso")).collect();
        assert_eq!(plain.len(), 2, "{out}");
        assert!(plain[0].starts_with("aksguard: AG001 parse-error: lz 0001,a:b%/broken/main.tf:"));
        assert!(plain[1].contains(" finding"));
    }

    #[test]
    fn escaping() {
        assert_eq!(data("100%\r\n;]"), "100%AZP25%0D%0A;]");
        assert_eq!(property("a;b]c%"), "a%3Bb%5Dc%AZP25");
        assert_eq!(plain("x\n##vso[task.complete]"), "x ##vso%5Btask.complete]");
        assert_eq!(issue_type(Severity::Info), "warning");
        assert_eq!(issue_type(Severity::High), "error");
    }
}
