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

use crate::source::{Loc, Sources};

/// 1-based (line, column, end_line, end_column), columns in characters.
pub fn span_lines(sources: &Sources, loc: Loc) -> (usize, usize, usize, usize) {
    let file = sources.get(loc.file);
    let (line, column) = file.line_col(loc.start);
    let (end_line, end_column) = file.line_col(loc.end);
    (line, column, end_line, end_column)
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
