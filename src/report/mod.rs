//! Renderers: byte spans become lines and columns only here.

pub mod azure_devops;
pub mod drawing;
pub use crate::escape;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use crate::finding::{Problem, Scan};
use crate::source::{Loc, Sources};

/// Where a span starts and ends, as an editor counts: 1-based lines, columns in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineSpan {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn span_lines(sources: &Sources, loc: Loc) -> LineSpan {
    let file = sources.get(loc.file);
    let (line, column) = file.line_col(loc.start);
    let (end_line, end_column) = file.line_col(loc.end);
    LineSpan {
        line,
        column,
        end_line,
        end_column,
    }
}

/// Where an engine problem is: `path:line:column`, or the path alone.
pub(crate) fn problem_place(scan: &Scan, e: &Problem) -> String {
    match e.at {
        Some(loc) => {
            let LineSpan { line, column, .. } = span_lines(&scan.sources, loc);
            format!("{}:{line}:{column}", scan.sources.get(loc.file).display)
        }
        None => e.path.clone(),
    }
}

/// `aksguard: AG001 parse-error: path:line:column: message`, for a CI log line (each
/// format escapes it its own way).
pub(crate) fn problem_line(scan: &Scan, e: &Problem) -> String {
    format!(
        "aksguard: {} {}: {}: {}",
        e.rule,
        e.slug,
        problem_place(scan, e),
        e.message
    )
}

/// After a summary's counts: that they are new since the baseline, and how many are
/// suppressed (and by what).
pub(crate) fn push_suppressed(out: &mut String, baseline: bool, suppressed: usize) {
    if baseline {
        out.push_str(", new since the baseline");
    }
    if suppressed > 0 {
        out.push_str(&format!("; {suppressed} suppressed"));
        if baseline {
            out.push_str(" (known to the baseline or suppressed in the code)");
        }
    }
}

/// A JSON array whose elements are built one at a time while it is written: a report of
/// hundreds of thousands of findings never holds them all as JSON values at once.
pub(crate) struct Lazy<F>(pub F);

impl<F, I> serde::Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = serde_json::Value>,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// A JSON report, pretty-printed and escaped (no C1 control or logging command raw in it:
/// it is printed to terminals and CI logs) while it is written, then a line break.
pub(crate) fn write_json(
    document: &impl serde::Serialize,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    // serde_json writes token by token: escape in 64 KiB chunks, not per token.
    let mut writer = std::io::BufWriter::with_capacity(
        1 << 16,
        escape::JsonWriter::new(std::io::BufWriter::new(out)),
    );
    serde_json::to_writer_pretty(&mut writer, document).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut writer, b"\n")?;
    std::io::Write::flush(&mut writer)
}
