//! `--format junit`: JUnit XML for CI test-report views (Azure DevOps PublishTestResults,
//! GitLab, Jenkins).
//!
//! One `<testsuite>` per rule with findings (`AKS005 local-accounts-enabled`), one
//! `<testcase>` per finding (classname: the path, name: `RULE resource`): a `<failure>` when
//! it is reported, `<skipped>` with the justification when it is suppressed. Engine errors
//! are `<error>` test cases of their own suites (`AG001 parse-error`). A scan without any
//! finding or error is one passing test case, so report views show a clean run.

use super::{span_lines, LineSpan};
use crate::finding::Finding;
use crate::finding::{Problem, Scan};
use crate::rules;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// One `<testcase>`.
struct Case {
    classname: String,
    name: String,
    file: String,
    line: usize,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Failure {
        message: String,
        kind: String,
        text: String,
    },
    Skipped {
        message: String,
    },
    Error {
        message: String,
        kind: String,
        text: String,
    },
}

/// The report as text (what `write` writes).
pub fn render(scan: &Scan) -> String {
    super::written(|out| write(scan, out))
}

pub fn write(scan: &Scan, out: impl std::io::Write) -> std::io::Result<()> {
    // Suites in the order their rule first appears: findings are sorted by path and line.
    let mut suites: Vec<(String, Vec<Case>)> = Vec::new();
    let mut suite_of: HashMap<String, usize> = HashMap::new();
    let mut add = |suite: String, case: Case| {
        let index = *suite_of.entry(suite.clone()).or_insert_with(|| {
            suites.push((suite, Vec::new()));
            suites.len() - 1
        });
        suites[index].1.push(case);
    };
    for error in &scan.errors {
        add(
            format!("{} {}", error.rule, error.slug),
            error_case(scan, error),
        );
    }
    let cases: Vec<Case> = scan
        .findings
        .par_iter()
        .map(|finding| finding_case(scan, finding))
        .collect();
    for (finding, case) in scan.findings.iter().zip(cases) {
        add(format!("{} {}", finding.rule, finding.slug), case);
    }
    if let Some(line) = scan.not_shown.line() {
        // Left out, not passed: a skipped case says so in every report view.
        add(
            "aksguard".to_string(),
            Case {
                classname: "aksguard".to_string(),
                name: "findings in files not named".to_string(),
                file: String::new(),
                line: 0,
                outcome: Outcome::Skipped { message: line },
            },
        );
    }
    if suites.is_empty() {
        suites.push((
            "aksguard".to_string(),
            vec![Case {
                classname: "aksguard".to_string(),
                name: "no findings".to_string(),
                file: String::new(),
                line: 0,
                outcome: Outcome::Passed,
            }],
        ));
    }
    // Engine errors first (they were added first), then the rules in catalogue order.
    suites.sort_by_key(|(name, cases)| {
        let errors = matches!(cases[0].outcome, Outcome::Error { .. });
        let id = name.split(' ').next().unwrap_or("");
        let rank = rules::ALL
            .iter()
            .position(|r| r.id == id)
            .unwrap_or(rules::ALL.len());
        (!errors, rank)
    });
    for (_, cases) in &mut suites {
        unique_names(cases);
    }

    let count = |cases: &[Case], pick: fn(&Outcome) -> bool| {
        cases.iter().filter(|c| pick(&c.outcome)).count()
    };
    let failed = |o: &Outcome| matches!(o, Outcome::Failure { .. });
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped { .. });
    let errored = |o: &Outcome| matches!(o, Outcome::Error { .. });
    let all: Vec<&Case> = suites.iter().flat_map(|(_, cases)| cases).collect();
    let total = |pick: fn(&Outcome) -> bool| all.iter().filter(|c| pick(&c.outcome)).count();

    // The report is often printed to the CI log too: no line of it may be a command. Each
    // piece below is whole lines, so escaping them one by one is escaping the report.
    let shown = |text: &str| super::escape::no_commands(text, |_| None);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut head = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        head,
        "<testsuites name=\"aksguard\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        all.len(),
        total(failed),
        total(errored),
        total(skipped),
        scan.duration.as_secs_f64(),
    );
    out.write_all(shown(&head).as_bytes())?;
    for (name, cases) in &suites {
        let mut head = String::new();
        let _ = writeln!(
            head,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            escape(name),
            cases.len(),
            count(cases, failed),
            count(cases, errored),
            count(cases, skipped),
        );
        out.write_all(shown(&head).as_bytes())?;
        super::write_in_order(cases, &mut out, |case| {
            let mut text = String::new();
            write_case(&mut text, case);
            shown(&text)
        })?;
        out.write_all(shown("  </testsuite>\n").as_bytes())?;
    }
    out.write_all(shown("</testsuites>\n").as_bytes())?;
    out.flush()
}

fn finding_case(scan: &Scan, f: &Finding) -> Case {
    let path = scan.sources.get(f.at.file).display.clone();
    let LineSpan { line, column, .. } = span_lines(&scan.sources, f.at);
    let name = if f.resource.is_empty() {
        f.rule.to_string()
    } else {
        format!("{} {}", f.rule, f.resource)
    };
    let outcome = if f.suppressed {
        Outcome::Skipped {
            message: f
                .suppression
                .as_deref()
                .filter(|reason| !reason.trim().is_empty())
                .unwrap_or("suppressed")
                .to_string(),
        }
    } else {
        let mut text = format!(
            "{path}:{line}:{column}: {} {} ({}): {}\n",
            f.rule, f.slug, f.severity, f.message
        );
        if !f.resource.is_empty() {
            let _ = writeln!(text, "resource: {}", f.resource);
        }
        if let Some(zone) = &f.landing_zone {
            let _ = writeln!(text, "landing zone: {zone}");
        }
        if let Some(source) = &f.source {
            let _ = writeln!(text, "source: {source}");
        }
        for (loc, note) in &f.notes {
            let LineSpan { line, column, .. } = span_lines(&scan.sources, *loc);
            let file = &scan.sources.get(loc.file).display;
            let _ = writeln!(text, "note: {note} ({file}:{line}:{column})");
        }
        if !f.help.trim().is_empty() {
            let _ = writeln!(text, "help: {}", f.help.trim());
        }
        Outcome::Failure {
            message: f.message.clone(),
            kind: f.severity.as_str().to_string(),
            text,
        }
    };
    Case {
        classname: path.clone(),
        name,
        file: path,
        line,
        outcome,
    }
}

fn error_case(scan: &Scan, e: &Problem) -> Case {
    let (path, line, column) = match e.at {
        Some(loc) => {
            let LineSpan { line, column, .. } = span_lines(&scan.sources, loc);
            (scan.sources.get(loc.file).display.clone(), line, column)
        }
        None => (e.path.clone(), 0, 0),
    };
    let place = if line > 0 {
        format!("{path}:{line}:{column}")
    } else {
        path.clone()
    };
    Case {
        classname: path.clone(),
        name: format!("{} {path}", e.rule),
        file: path,
        line,
        outcome: Outcome::Error {
            message: e.message.clone(),
            kind: e.slug.to_string(),
            text: format!("{place}: {} {}: {}\n", e.rule, e.slug, e.message),
        },
    }
}

/// Report views key test cases by classname and name: repeated ones get ` #2`, ` #3`, ...
fn unique_names(cases: &mut [Case]) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for case in cases {
        let n = seen
            .entry((case.classname.clone(), case.name.clone()))
            .or_insert(0);
        *n += 1;
        if *n > 1 {
            case.name = format!("{} #{n}", case.name);
        }
    }
}

fn write_case(out: &mut String, case: &Case) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape(&case.classname),
        escape(&case.name),
    );
    if !case.file.is_empty() {
        let _ = write!(out, " file=\"{}\"", escape(&case.file));
    }
    if case.line > 0 {
        let _ = write!(out, " line=\"{}\"", case.line);
    }
    out.push_str(" time=\"0\"");
    match &case.outcome {
        Outcome::Passed => out.push_str("/>\n"),
        Outcome::Skipped { message } => {
            let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>", escape(message));
            out.push_str("    </testcase>\n");
        }
        Outcome::Failure {
            message,
            kind,
            text,
        } => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(message),
                escape(kind),
                escape_text(text),
            );
            out.push_str("    </testcase>\n");
        }
        Outcome::Error {
            message,
            kind,
            text,
        } => {
            let _ = writeln!(
                out,
                ">\n      <error message=\"{}\" type=\"{}\">{}</error>",
                escape(message),
                escape(kind),
                escape_text(text),
            );
            out.push_str("    </testcase>\n");
        }
    }
}

/// An XML attribute value: the five predefined entities, line breaks and tabs as character
/// references (attribute value normalisation would turn them into spaces), other control
/// characters as visible escapes and the non-characters U+FFFE, U+FFFF as U+FFFD.
fn escape(text: &str) -> String {
    escaped(text, |out, c| match c {
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        '\n' => out.push_str("&#10;"),
        '\t' => out.push_str("&#9;"),
        c => push_text(out, c),
    })
}

/// XML character data: line breaks and tabs stay as they are.
fn escape_text(text: &str) -> String {
    escaped(text, |out, c| match c {
        '\n' | '\t' => out.push(c),
        c => push_text(out, c),
    })
}

/// `text` with each character that is markup, white space or a hazard written by
/// `special`; the runs of plain characters between them are copied whole.
fn escaped(text: &str, special: impl Fn(&mut String, char)) -> String {
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{FFFE}' | '\u{FFFF}')
            && !super::escape::is_hazard(c)
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in text.char_indices() {
        if !plain(c) {
            out.push_str(&text[copied..at]);
            special(&mut out, c);
            copied = at + c.len_utf8();
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn push_text(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\r' => out.push_str("&#13;"),
        '\n' | '\t' => out.push(c),
        c if c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
        c if !super::escape::is_hazard(c) => out.push(c),
        // Other control characters (which XML 1.0 cannot carry or a terminal acts on) and
        // bidirectional overrides: written out as `\x1b`, `\u{9b}`.
        c => out.push_str(&super::escape::one_line(c.encode_utf8(&mut [0; 4]))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sarif::fixture;

    fn count(text: &str, needle: &str) -> usize {
        text.matches(needle).count()
    }

    #[test]
    fn a_failure_per_unsuppressed_finding() {
        let scan = fixture::mixed();
        let out = render(&scan);
        let active = scan.findings.iter().filter(|f| !f.suppressed).count();
        let suppressed = scan.findings.len() - active;
        assert_eq!(count(&out, "<failure "), active, "{out}");
        assert_eq!(count(&out, "<skipped "), suppressed);
        assert_eq!(count(&out, "<error "), 1);
        assert_eq!(count(&out, "<testcase "), scan.findings.len() + 1);
        assert_eq!(count(&out, "<testsuites "), 1);
        assert!(out.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aksguard\""
        ));
        assert!(out.contains(&format!(
            "tests=\"{}\" failures=\"{active}\" errors=\"1\" skipped=\"{suppressed}\"",
            scan.findings.len() + 1
        )));
        assert!(out.contains("<testsuite name=\"AG001 parse-error\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\""));
        assert!(out.contains(
            "<testsuite name=\"AKS005 local-accounts-enabled\" tests=\"1\" failures=\"1\""
        ));
        assert!(out.contains(
            "<testcase classname=\"lz 0001,a:b%/terraform/main.tf\" name=\"AKS005 azurerm_kubernetes_cluster.aks\""
        ));
        assert!(out.contains(
            "<failure message=\"local accounts: enabled, 100% &lt;bad&gt; &amp; &quot;quoted&quot;&#10;second line]; ok\" type=\"high\">"
        ));
        assert!(out.ends_with("</testsuites>\n"));
        assert_eq!(count(&out, "<testsuite "), count(&out, "</testsuite>"));
        assert_eq!(count(&out, "<testcase "), count(&out, "</testcase>"));
    }

    #[test]
    fn a_clean_scan_is_one_passing_case() {
        let mut scan = fixture::mixed();
        scan.findings.clear();
        scan.errors.clear();
        let out = render(&scan);
        assert!(out.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
        assert!(out.contains("<testcase classname=\"aksguard\" name=\"no findings\" time=\"0\"/>"));
    }

    #[test]
    fn repeated_cases_get_distinct_names() {
        let mut scan = fixture::mixed();
        let copy = scan.findings[0].clone();
        scan.findings.push(copy);
        let out = render(&scan);
        let name = format!(
            "{} {} #2\"",
            scan.findings[0].rule, scan.findings[0].resource
        );
        assert!(out.contains(&escape(&name[..name.len() - 1])), "{out}");
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b>&\"c'\r\n\t\u{1}\u{FFFF}é"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#13;&#10;&#9;\\x01\u{FFFD}é"
        );
        assert_eq!(
            escape_text("a<b>&\"c'\r\n\t\u{1b}"),
            "a&lt;b&gt;&amp;\"c'&#13;\n\t\\x1b"
        );
    }

    #[test]
    fn suites_in_catalogue_order_after_errors() {
        let out = render(&fixture::mixed());
        let suites: Vec<&str> = out
            .lines()
            .filter_map(|l| l.trim().strip_prefix("<testsuite name=\""))
            .map(|l| &l[..l.find('"').unwrap()])
            .collect();
        assert_eq!(suites[0], "AG001 parse-error");
        let ranks: Vec<usize> = suites[1..]
            .iter()
            .map(|s| {
                let id = s.split(' ').next().unwrap();
                rules::ALL.iter().position(|r| r.id == id).unwrap()
            })
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{suites:?}");
        assert!(out.contains("<skipped message=\"system pool exception, ticket OPS-2\"/>"));
        assert!(out.contains("<skipped message=\"baseline\"/>"));
    }
}
