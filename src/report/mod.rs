//! Renderers: byte spans become lines and columns only here.

pub mod azure_devops;
pub mod escape;
pub mod github;
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
