//! `--format markdown`: a summary for a pull-request comment, `$GITHUB_STEP_SUMMARY` or an
//! Azure DevOps build summary. Counts by severity and attack surface, what was not
//! evaluated (AG005) or could not be read (AG001), the new findings (with `--baseline`) or
//! the most severe ones, each linked to `<link-base>/<path>#L<line>` when `--link-base` is
//! given, and the rest behind `<details>`.
//!
//! Always under GitHub's comment limit of 65,536 characters: what does not fit is counted,
//! never dropped silently. Text from scanned files (paths, values quoted in messages) is
//! escaped so that it renders as the characters it is: no markup, HTML, link, mention or
//! issue reference of the repository's choosing reaches the page.

use super::{span_lines, LineSpan};
use crate::catalogue::MODULE_NOT_EVALUATED;
use crate::finding::Finding;
use crate::finding::{Problem, Scan};
use crate::rules::Surface;
use crate::severity::Severity;
use rayon::prelude::*;
use std::fmt::Write;

/// GitHub rejects a comment (and truncates a job summary) past this many characters.
pub const LIMIT: usize = 65_536;
/// Room kept for the closing lines that say what was left out.
const RESERVE: usize = 2_048;
/// Findings shown in the open table; the rest go behind `<details>`.
const TOP: usize = 20;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--link-base`: where `path#Lline` links point (e.g.
    /// `https://github.com/org/repo/blob/<sha>`), checked by `check_link_base`.
    pub link_base: Option<String>,
    /// A baseline was applied: unsuppressed findings are the new ones.
    pub baseline: bool,
}

/// `--link-base` must be an http(s) URL of plain URL characters: it is written into links.
pub fn check_link_base(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
    if rest.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&*+,;=%".contains(c);
    match url.chars().find(|c| !allowed(*c)) {
        Some(c) => Err(format!(
            "`{}` contains {:?}, which a link cannot carry unencoded",
            super::escape::one_line(url),
            c
        )),
        None => Ok(()),
    }
}

pub fn render(scan: &Scan, options: &Options) -> String {
    let active: Vec<&Finding> = scan.findings.iter().filter(|f| !f.suppressed).collect();
    let suppressed = scan.findings.len() - active.len();
    let mut out = String::new();
    let mut written = Written::default();

    out.push_str("## aksguard\n\n");
    let _ = write!(
        out,
        "**{}** in {} ({} resources)",
        plural(active.len(), "finding"),
        plural(scan.files, "file"),
        scan.resources
    );
    super::push_suppressed(&mut out, options.baseline, suppressed);
    let not_evaluated: Vec<&Finding> = active
        .iter()
        .copied()
        .filter(|f| f.rule == MODULE_NOT_EVALUATED.id())
        .collect();
    if !not_evaluated.is_empty() {
        let _ = write!(
            out,
            "; **{} not evaluated**",
            plural(not_evaluated.len(), "module or chart")
        );
    }
    // The finding limit (AG007) is not an unreadable file: it gets a warning of its own.
    let (limits, unreadable): (Vec<&Problem>, Vec<&Problem>) = scan
        .errors
        .iter()
        .partition(|e| e.rule == crate::catalogue::FINDING_LIMIT.id());
    if !unreadable.is_empty() {
        let _ = write!(
            out,
            "; **{} could not be read**",
            plural(unreadable.len(), "file")
        );
    }
    if !limits.is_empty() {
        out.push_str("; **not every finding is shown**");
    }
    out.push_str(".\n\n");
    counts_table(&mut out, &active);

    let mut left_out = LeftOut::default();
    if !not_evaluated.is_empty() {
        out.push_str(
            "\n### Not evaluated\n\nWhat these deploy was not checked: no finding about it \
             does not mean it is compliant.\n\n",
        );
        for notice in &not_evaluated {
            let item = format!(
                "- {} {}: {}\n",
                place(scan, notice.at, options),
                text(&notice.resource),
                text(&notice.message)
            );
            if !fits_in(written.of(&out), &item, LIMIT / 2) {
                left_out.notices += 1;
                continue;
            }
            out.push_str(&item);
        }
    }
    for limit in &limits {
        let _ = write!(out, "\n> [!WARNING]\n> {}\n", problem(scan, limit, options));
    }
    if !unreadable.is_empty() {
        out.push_str("\n### Could not be read\n\nNothing in these files was checked.\n\n");
        for error in unreadable {
            let item = format!("- {}\n", problem(scan, error, options));
            if !fits_in(written.of(&out), &item, LIMIT / 2) {
                left_out.errors += 1;
                continue;
            }
            out.push_str(&item);
        }
    }
    if let Some(line) = scan.not_shown.line() {
        let _ = write!(out, "\n> [!NOTE]\n> {}\n", text(&line));
    }

    let mut findings: Vec<&Finding> = active
        .iter()
        .copied()
        .filter(|f| f.rule != MODULE_NOT_EVALUATED.id())
        .collect();
    // Most severe first; then by place, so the output is the same on every run.
    findings.par_sort_by_cached_key(|f| {
        let LineSpan { line, column, .. } = span_lines(&scan.sources, f.at);
        (
            std::cmp::Reverse(f.severity),
            scan.sources.get(f.at.file).display.clone(),
            line,
            column,
            f.rule,
        )
    });
    if !findings.is_empty() {
        let title = if options.baseline {
            "New findings"
        } else {
            "Findings, most severe first"
        };
        let _ = write!(out, "\n### {title}\n\n");
        // Every row is rendered (each one that does not fit is counted, and a shorter one
        // after it may fit): in parallel, for the tens of thousands of a large scan.
        let rows: Vec<String> = findings
            .par_iter()
            .map(|f| finding_row(scan, f, options))
            .collect();
        let (top, rest) = rows.split_at(rows.len().min(TOP));
        out.push_str(TABLE_HEAD);
        for row in top {
            if !fits(written.of(&out), row) {
                left_out.findings += 1;
                continue;
            }
            out.push_str(row);
        }
        if !rest.is_empty() {
            let open = format!(
                "\n<details><summary>{} more</summary>\n\n{TABLE_HEAD}",
                rest.len()
            );
            if fits(written.of(&out), &open) {
                out.push_str(&open);
                for row in rest {
                    if !fits(written.of(&out), row) {
                        left_out.findings += 1;
                        continue;
                    }
                    out.push_str(row);
                }
                out.push_str("\n</details>\n");
            } else {
                left_out.findings += rest.len();
            }
        }
        how_to_fix(&mut out, &mut written, &findings, &mut left_out);
    }

    if left_out.any() {
        let _ = write!(
            out,
            "\n> [!WARNING]\n> Not shown here, to stay under GitHub's limit of {LIMIT} \
             characters: {}. `aksguard check --format json` (or `sarif`) lists everything.\n",
            left_out.describe()
        );
    }
    if active.is_empty() && scan.errors.is_empty() && not_evaluated.is_empty() {
        out.push_str("\nNo findings.\n");
    }
    out
}

const TABLE_HEAD: &str = "| severity | rule | where | message |\n|---|---|---|---|\n";

#[derive(Default)]
struct LeftOut {
    findings: usize,
    notices: usize,
    errors: usize,
    fixes: usize,
}

impl LeftOut {
    fn any(&self) -> bool {
        self.findings + self.notices + self.errors + self.fixes > 0
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.findings > 0 {
            parts.push(plural(self.findings, "finding"));
        }
        if self.notices > 0 {
            parts.push(plural(self.notices, "not-evaluated notice"));
        }
        if self.errors > 0 {
            parts.push(plural(self.errors, "unreadable file"));
        }
        if self.fixes > 0 {
            parts.push(format!("the fixes of {}", plural(self.fixes, "rule")));
        }
        parts.join(", ")
    }
}

/// The characters of the page, counted as it grows: counting the whole page again for
/// each of a large scan's rows made the report quadratic in its findings.
#[derive(Default)]
struct Written {
    bytes: usize,
    chars: usize,
}

impl Written {
    /// Characters in `out`, which holds what it held at the last call and more.
    fn of(&mut self, out: &str) -> usize {
        self.chars += out[self.bytes..].chars().count();
        self.bytes = out.len();
        self.chars
    }
}

/// Whether `more` can be added to `written` characters and still leave room for the
/// closing lines.
fn fits(written: usize, more: &str) -> bool {
    fits_in(written, more, LIMIT)
}

/// Notices and unreadable files take at most half the page, so findings are shown too.
fn fits_in(written: usize, more: &str, limit: usize) -> bool {
    written + more.chars().count() + RESERVE <= limit
}

fn plural(n: usize, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "module or chart") => format!("{n} modules or charts"),
        _ => format!("{n} {noun}s"),
    }
}

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn surface_of(finding: &Finding) -> Surface {
    // Every rule and engine diagnostic has one (tests/surfaces.rs).
    crate::rules::surface(finding.rule).unwrap_or(Surface::Engine)
}

/// Severity × attack surface, with totals; rows and columns of zeros kept, so a surface
/// with nothing is visibly zero rather than missing.
fn counts_table(out: &mut String, active: &[&Finding]) {
    out.push_str("| severity |");
    for surface in Surface::ALL {
        let _ = write!(out, " {} |", surface.as_str());
    }
    out.push_str(" total |\n|---|");
    for _ in Surface::ALL {
        out.push_str("--:|");
    }
    out.push_str("--:|\n");
    for severity in SEVERITIES {
        let _ = write!(out, "| {severity} |");
        for surface in Surface::ALL {
            let n = active
                .iter()
                .filter(|f| f.severity == severity && surface_of(f) == surface)
                .count();
            let _ = write!(out, " {n} |");
        }
        let total = active.iter().filter(|f| f.severity == severity).count();
        let _ = writeln!(out, " {total} |");
    }
    out.push_str("| **total** |");
    for surface in Surface::ALL {
        let n = active.iter().filter(|f| surface_of(f) == surface).count();
        let _ = write!(out, " **{n}** |");
    }
    let _ = writeln!(out, " **{}** |", active.len());
}

fn finding_row(scan: &Scan, f: &Finding, options: &Options) -> String {
    let mut message = text(f.message.trim());
    if !f.resource.is_empty() {
        let _ = write!(message, " ({})", text(&f.resource));
    }
    if let Some(source) = &f.source {
        let _ = write!(message, " from {}", text(source));
    }
    format!(
        "| {} | [{}]({}) {} | {} | {} |\n",
        f.severity,
        f.rule,
        super::sarif::rule_doc_url(f.rule),
        f.slug,
        place(scan, f.at, options),
        message
    )
}

/// Per rule, the fix of its first finding (most severe first), behind `<details>`.
fn how_to_fix(
    out: &mut String,
    written: &mut Written,
    findings: &[&Finding],
    left_out: &mut LeftOut,
) {
    let mut rules: Vec<(&str, &str, &str, usize)> = Vec::new();
    for f in findings {
        match rules.iter_mut().find(|r| r.0 == f.rule) {
            Some(rule) => rule.3 += 1,
            None => rules.push((f.rule, f.slug, f.help.trim(), 1)),
        }
    }
    let open = "\n<details><summary>How to fix</summary>\n\n";
    if !fits(written.of(out), open) {
        left_out.fixes += rules.len();
        return;
    }
    out.push_str(open);
    for (rule, slug, help, count) in rules {
        let help = if help.is_empty() {
            "see the rule's documentation".to_string()
        } else {
            text(help)
        };
        let item = format!(
            "- **[{rule}]({}) {slug}** ({}): {help}\n",
            super::sarif::rule_doc_url(rule),
            plural(count, "finding")
        );
        if !fits(written.of(out), &item) {
            left_out.fixes += 1;
            continue;
        }
        out.push_str(&item);
    }
    out.push_str("\n</details>\n");
}

fn problem(scan: &Scan, e: &Problem, options: &Options) -> String {
    let place = match e.at {
        Some(loc) => place(scan, loc, options),
        None => text(&e.path),
    };
    format!("{place}: {} {}: {}", e.rule, e.slug, text(&e.message))
}

/// `path:line`, a link to `<link-base>/<path>#L<line>` when a base is given and the path
/// is relative (a path outside the working directory has no place in the repository).
fn place(scan: &Scan, loc: crate::source::Loc, options: &Options) -> String {
    let LineSpan { line, .. } = span_lines(&scan.sources, loc);
    let display = &scan.sources.get(loc.file).display;
    let shown = format!("{}:{line}", text(display));
    let linkable = !display.starts_with('/')
        && display != "-"
        && !display
            .split('/')
            .any(|part| part == ".." || part.is_empty());
    match &options.link_base {
        Some(base) if linkable => format!(
            "[{shown}]({}/{}#L{line})",
            base.trim_end_matches('/'),
            url_path(display)
        ),
        _ => shown,
    }
}

/// A path written into a link: every byte but unreserved characters and `/`
/// percent-encoded, so no `)`, space or quote ends the link early.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Text that may carry what a scanned file wrote, for a Markdown table cell or list item:
/// on one line, control characters made visible, every ASCII punctuation character
/// backslash-escaped (no emphasis, code, HTML, link, table cell or autolink can start), and
/// `@` and `#` followed by a zero-width space, so that GitHub links no mention or issue.
pub fn text(raw: &str) -> String {
    let flat = raw.replace("\r\n", " ").replace(['\r', '\n'], " ");
    let visible = super::escape::one_line(&flat);
    let mut out = String::with_capacity(visible.len() + 16);
    for c in visible.chars() {
        match c {
            '@' | '#' => {
                out.push('\\');
                out.push(c);
                out.push_str("&#8203;");
            }
            // `/` starts nothing on its own and keeps paths readable.
            c if c.is_ascii_punctuation() && c != '/' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_text_cannot_make_markup() {
        let hostile = "x](https://evil.example) <img src=x onerror=alert(1)> **b** `c` | d \
                       @octocat #1 www.evil.example\n# heading &amp; \u{1b}[2J";
        let shown = text(hostile);
        for raw in ["](", "**", "`c`", "@octocat", "#1", "www.e", "\n", "&amp;"] {
            assert!(!shown.contains(raw), "{raw} in {shown}");
        }
        // Every `<` and `|` is escaped.
        for (at, c) in shown.char_indices() {
            if c == '<' || c == '|' {
                assert_eq!(&shown[at - 1..at], "\\", "{shown}");
            }
        }
        assert!(!shown.contains('\u{1b}'));
        assert!(shown.contains("\\@&#8203;octocat"), "{shown}");
        assert!(shown.contains("\\<img src\\=x"), "{shown}");
    }

    #[test]
    fn link_paths_are_percent_encoded_and_bases_checked() {
        assert_eq!(url_path("lz 1/a)b#c.tf"), "lz%201/a%29b%23c.tf");
        assert!(check_link_base("https://github.com/o/r/blob/abc").is_ok());
        assert!(check_link_base("javascript:alert(1)").is_err());
        assert!(check_link_base("https://x/a b").is_err());
        assert!(check_link_base("https://x/a)b").is_err());
        assert!(check_link_base("https://").is_err());
    }
}
