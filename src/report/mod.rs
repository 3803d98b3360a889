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

use crate::finding::{Finding, Problem, Scan};
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

/// Findings rendered at a time by [`ParallelArray`]: enough to keep both cores busy, few
/// enough that the rendered text of a chunk stays a few megabytes.
const RENDERED_AT_ONCE: usize = 4096;

/// The text of each item, rendered in parallel a chunk at a time and written in order: the
/// text reports' findings (miette's rendering of a large scan's findings one by one took
/// longer than the rules). Each text must end a line, so that a pass over lines (the
/// escape of logging commands) gives the same on the pieces as on the whole.
pub(crate) fn write_in_order<T: Sync>(
    items: &[T],
    out: &mut impl std::io::Write,
    render: impl Fn(&T) -> String + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    in_chunks_overlapped(
        items,
        |_, chunk| chunk.par_iter().map(&render).collect::<Vec<String>>(),
        |rendered| {
            for text in rendered {
                out.write_all(text.as_bytes())?;
            }
            Ok(())
        },
    )
}

/// A CI log format (GitHub workflow commands, Azure Pipelines logging commands): the
/// commands it writes for a finding and for the findings not shown, how it makes a line
/// that can be no command, and the escape that leaves no command but its own.
pub(crate) trait CiLog: Sync {
    /// One unsuppressed finding's command, ending a line.
    fn finding(&self, scan: &Scan, finding: &Finding) -> String;
    /// The line saying how many findings were left out (`NotShown::line`), ending a line.
    fn not_shown(&self, line: &str) -> String;
    fn plain(&self, text: &str) -> String;
    fn no_other_commands(&self, text: &str) -> String;
}

/// A CI log: the errors as plain lines, each unsuppressed finding's command (rendered in
/// parallel, written in order), what was not shown, and the summary as a plain line.
pub(crate) fn write_ci_log(
    log: &impl CiLog,
    scan: &Scan,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut head = String::new();
    for error in &scan.errors {
        head.push_str(&log.plain(&problem_line(scan, error)));
        head.push('\n');
    }
    out.write_all(log.no_other_commands(&head).as_bytes())?;
    let active: Vec<&Finding> = scan.findings.iter().filter(|f| !f.suppressed).collect();
    write_in_order(&active, &mut out, |finding| {
        log.no_other_commands(&log.finding(scan, finding))
    })?;
    let mut tail = String::new();
    if let Some(line) = scan.not_shown.line() {
        tail.push_str(&log.not_shown(&line));
    }
    tail.push_str(&log.plain(&human::summary(scan)));
    tail.push('\n');
    out.write_all(log.no_other_commands(&tail).as_bytes())?;
    out.flush()
}

/// What a report's `write` writes, as text.
pub(crate) fn written(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Renders `items` a chunk at a time with `render` (on the thread pool; it is given the
/// index of the chunk's first item and the chunk) and hands each
/// chunk's result to `write` in order, on this thread: a chunk is written while the next
/// one is rendered, so writing (one thread, as the output is one stream) and rendering
/// overlap. Stops at the first error `write` returns.
fn in_chunks_overlapped<T: Sync, R: Send, E>(
    items: &[T],
    render: impl Fn(usize, &[T]) -> R + Sync,
    mut write: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let mut pending: Option<R> = None;
    for (index, chunk) in items.chunks(RENDERED_AT_ONCE).enumerate() {
        let mut next = None;
        let mut written = Ok(());
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| next = Some(render(index * RENDERED_AT_ONCE, chunk)));
            if let Some(rendered) = pending.take() {
                written = write(rendered);
            }
        });
        written?;
        pending = next;
    }
    match pending {
        Some(rendered) => write(rendered),
        None => Ok(()),
    }
}

/// A JSON array of one element per item, built and pretty-printed in parallel a chunk at a
/// time and written in order (rendering the findings of a large scan one by one took longer
/// than writing them). `indent` is the element's indentation in the document (spaces), so
/// the text is what serde_json's pretty printer writes there.
pub(crate) struct ParallelArray<'a, T, F> {
    items: &'a [T],
    indent: usize,
    element: F,
}

impl<'a, T, E, F> ParallelArray<'a, T, F>
where
    F: Fn(usize, &'a T) -> E,
{
    /// The array of `items`, each rendered by `element` (which may borrow from the item)
    /// `indent` spaces deep.
    pub fn new(items: &'a [T], indent: usize, element: F) -> Self {
        ParallelArray {
            items,
            indent,
            element,
        }
    }
}

impl<'a, T, E, F> serde::Serialize for ParallelArray<'a, T, F>
where
    T: Sync,
    E: serde::Serialize,
    F: Fn(usize, &'a T) -> E + Sync,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use rayon::prelude::*;
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        // The elements borrow from the items for as long as the array does.
        let items: &'a [T] = self.items;
        in_chunks_overlapped(
            items,
            |first, chunk| {
                (first..first + chunk.len())
                    .into_par_iter()
                    .map(|i| {
                        let element = (self.element)(i, &items[i]);
                        let text = pretty_indented(&element, self.indent)?;
                        serde_json::value::RawValue::from_string(text)
                    })
                    .collect::<Vec<Result<Box<serde_json::value::RawValue>, serde_json::Error>>>()
            },
            |rendered| {
                for element in rendered {
                    seq.serialize_element(&element.map_err(S::Error::custom)?)?;
                }
                Ok(())
            },
        )?;
        seq.end()
    }
}

/// A JSON array of one element per item written straight onto `out`, as serde_json's
/// pretty printer writes it `indent` spaces deep (an element's indentation): the elements are
/// built and printed in parallel a chunk at a time and written in order, and nothing parses
/// them again (a `RawValue` inside a serialized document would).
pub(crate) fn write_array<'a, T: Sync, E: serde::Serialize>(
    out: &mut impl std::io::Write,
    items: &'a [T],
    indent: usize,
    element: impl Fn(&'a T) -> E + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    let line_break = format!("\n{}", " ".repeat(indent));
    let mut first = true;
    in_chunks_overlapped(
        items,
        |first, chunk| {
            (first..first + chunk.len())
                .into_par_iter()
                .map(|i| pretty_indented(&element(&items[i]), indent))
                .collect::<Vec<serde_json::Result<String>>>()
        },
        |rendered| {
            for text in rendered {
                out.write_all(if first { b"[" } else { b"," })?;
                first = false;
                out.write_all(line_break.as_bytes())?;
                out.write_all(text?.as_bytes())?;
            }
            Ok::<(), std::io::Error>(())
        },
    )?;
    // The closing bracket stands one level (two spaces) out from the elements.
    write!(out, "\n{}]", " ".repeat(indent.saturating_sub(2)))
}

/// `value` pretty-printed as it reads `indent` spaces deep in a pretty-printed document:
/// serde_json's pretty layout (two spaces a level), every line after the first indented by
/// `indent` more.
pub(crate) fn pretty_indented(
    value: &impl serde::Serialize,
    indent: usize,
) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(1024);
    let formatter = NestedPretty {
        base: indent,
        level: 0,
        has_value: false,
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ))?;
    // serde_json writes only UTF-8.
    String::from_utf8(out).map_err(serde::ser::Error::custom)
}

/// serde_json's `PrettyFormatter`, starting `base` spaces in.
struct NestedPretty {
    base: usize,
    level: usize,
    has_value: bool,
}

impl NestedPretty {
    fn line_break<W: ?Sized + std::io::Write>(
        &self,
        out: &mut W,
        comma: bool,
    ) -> std::io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        out.write_all(if comma { b",\n" } else { b"\n" })?;
        let mut width = self.base + 2 * self.level;
        while width > 0 {
            let step = width.min(SPACES.len());
            out.write_all(&SPACES[..step])?;
            width -= step;
        }
        Ok(())
    }
}

impl NestedPretty {
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    /// An array or object with nothing in it closes right after it opens: `[]`, `{}`.
    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line_break(out, false)?;
        }
        out.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line_break(out, !first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line_break(out, !first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Where a JSON report is written: escaped (no C1 control or logging command raw in it) in
/// 64 KiB chunks, as serde_json writes token by token.
pub(crate) fn escaping_json_writer(out: impl std::io::Write) -> impl std::io::Write {
    std::io::BufWriter::with_capacity(
        1 << 16,
        escape::JsonWriter::new(std::io::BufWriter::new(out)),
    )
}

/// A JSON report, pretty-printed and escaped (no C1 control or logging command raw in it:
/// it is printed to terminals and CI logs) while it is written, then a line break.
pub(crate) fn write_json(
    document: &impl serde::Serialize,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    let mut writer = escaping_json_writer(out);
    serde_json::to_writer_pretty(&mut writer, document).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut writer, b"\n")?;
    std::io::Write::flush(&mut writer)
}

#[cfg(test)]
mod tests {
    #[test]
    fn texts_rendered_in_parallel_are_written_in_order() {
        let items: Vec<usize> = (0..super::RENDERED_AT_ONCE * 2 + 7).collect();
        let mut out = Vec::new();
        super::write_in_order(&items, &mut out, |i| format!("{i}\n")).unwrap();
        let expected: String = items.iter().map(|i| format!("{i}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
