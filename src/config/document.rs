//! The TOML document being validated: byte spans turned into positioned errors, and the
//! typed reads every section shares.

use super::paths::path_glob;
use super::suggest::closest;
use super::ConfigError;
use crate::severity::Severity;
use globset::{GlobSet, GlobSetBuilder};
use std::ops::Range;
use std::path::Path;
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Entries in source order: the map is sorted by key, but the first error reported should
/// be the first one in the file.
pub(super) fn in_source_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// Where a TOML syntax error is to be fixed, from where the parser stopped (`offset`): an
/// unclosed `[` or `{` is pointed at where it opens, and a missing comma found only on the
/// first token of a line at the end of the line before, which is the line to change.
pub(super) fn broken_at(text: &str, offset: usize, message: &str) -> usize {
    let offset = offset.min(text.len());
    if message.contains("unclosed") {
        if let Some(open) = unclosed_bracket(&text[..offset]) {
            return open;
        }
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let found_late = message.contains("missing comma") || message.contains("expected `,`");
    if !found_late || offset == 0 || !text[line_start..offset].trim().is_empty() {
        return offset;
    }
    // The end of the last line before this one with something other than a comment.
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        let code = line.split('#').next().unwrap_or("").trim_end();
        if !code.trim().is_empty() {
            return start + code.len();
        }
        end = start;
    }
    offset
}

/// The offset of the innermost `[` or `{` still open at the end of `text` (strings and
/// comments skipped; table headers close on their line).
fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let triple = text[i..].starts_with(if quote == b'"' { "\"\"\"" } else { "'''" });
                let delimiter = if triple { 3 } else { 1 };
                i += delimiter;
                while i < bytes.len() {
                    if quote == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    if bytes[i] == quote
                        && (!triple || text[i..].starts_with(&text[i..i + 1].repeat(3)))
                    {
                        i += delimiter;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => open.push(i),
            b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

/// The text being validated, to turn byte spans into errors.
pub(super) struct Doc<'s> {
    path: &'s Path,
    text: &'s str,
    /// Byte offset of each line's start: every landing zone and suppression records its
    /// line, and counting from the top each time is quadratic in a config with thousands.
    line_starts: Vec<usize>,
}

impl<'s> Doc<'s> {
    pub(super) fn new(path: &'s Path, text: &'s str) -> Doc<'s> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Doc {
            path,
            text,
            line_starts,
        }
    }

    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        (line, self.text[line_start..offset].chars().count() + 1)
    }

    pub(super) fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = self.position(span.start);
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
            span: Some(span),
        }
    }

    pub(super) fn unknown_key(
        &self,
        key: &Spanned<DeString>,
        allowed: &[&str],
        context: &str,
    ) -> ConfigError {
        let mut message = format!("unknown key `{}`{context}", key.get_ref());
        match closest(key.get_ref(), allowed, (key.get_ref().len() / 3).max(1)) {
            Some(suggestion) => message.push_str(&format!("; did you mean `{suggestion}`?")),
            None => message.push_str(&format!("; expected one of {}", key_list(allowed))),
        }
        self.error(key.span(), message)
    }

    pub(super) fn type_error(&self, name: &str, expected: &str, value: &Value) -> ConfigError {
        let found = value.get_ref().type_str();
        let mut message = format!("`{name}` must be {expected}, found {found}");
        if matches!(value.get_ref(), DeValue::Float(_) | DeValue::Integer(_))
            && expected.contains("string")
        {
            message.push_str(" (put the value in quotes)");
        }
        self.error(value.span(), message)
    }

    pub(super) fn table<'v, 'i>(
        &self,
        name: &str,
        value: &'v Value<'i>,
    ) -> Result<&'v DeTable<'i>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.type_error(name, &format!("a table (`[{name}]`)"), value)),
        }
    }

    pub(super) fn string<'v>(&self, name: &str, value: &'v Value) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text),
            _ => Err(self.type_error(name, "a string", value)),
        }
    }

    pub(super) fn boolean(&self, name: &str, value: &Value) -> Result<bool, ConfigError> {
        match value.get_ref() {
            DeValue::Boolean(flag) => Ok(*flag),
            _ => Err(self.type_error(name, "`true` or `false`", value)),
        }
    }

    pub(super) fn strings<'v>(
        &self,
        name: &str,
        value: &'v Value,
    ) -> Result<Vec<(&'v str, Range<usize>)>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.type_error(name, "an array of strings", value));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) => Ok((text.as_ref(), item.span())),
                other => Err(self.error(
                    item.span(),
                    format!(
                        "`{name}` must be an array of strings; this element is {}",
                        with_article(other.type_str())
                    ),
                )),
            })
            .collect()
    }

    pub(super) fn non_empty<'v>(
        &self,
        name: &str,
        value: &'v Value,
    ) -> Result<&'v str, ConfigError> {
        let text = self.string(name, value)?;
        if text.trim().is_empty() {
            return Err(self.error(value.span(), format!("`{name}` must not be empty")));
        }
        Ok(text)
    }

    pub(super) fn severity(&self, name: &str, value: &Value) -> Result<Severity, ConfigError> {
        self.string(name, value)?
            .parse()
            .map_err(|message: String| self.error(value.span(), message))
    }

    pub(super) fn array_of_tables<'v, 'i>(
        &self,
        name: &str,
        value: &'v Value<'i>,
    ) -> Result<Vec<(&'v DeTable<'i>, Range<usize>)>, ConfigError> {
        let wrong = || {
            self.error(
                value.span(),
                format!(
                    "`{name}` must be an array of tables: write each entry under its own \
                     `[[{name}]]` header"
                ),
            )
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(wrong());
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(table) => Ok((table, item.span())),
                _ => Err(wrong()),
            })
            .collect()
    }

    pub(super) fn missing(
        &self,
        header: &Range<usize>,
        key: &str,
        table: &str,
        hint: &str,
    ) -> ConfigError {
        self.error(
            header.clone(),
            format!("missing `{key}` in this [[{table}]] entry ({hint})"),
        )
    }

    pub(super) fn glob(
        &self,
        name: &str,
        pattern: &str,
        span: Range<usize>,
    ) -> Result<globset::Glob, ConfigError> {
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        if pattern.is_empty() {
            return Err(self.error(span, format!("`{name}` has an empty pattern")));
        }
        if pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
            return Err(self.error(
                span,
                format!(
                    "`{name}` patterns are relative to the directory of this file and cannot \
                     be absolute or reach outside it with `..`"
                ),
            ));
        }
        path_glob(pattern).map_err(|error| {
            self.error(
                span,
                format!("invalid glob `{pattern}` in `{name}`: {}", error.kind()),
            )
        })
    }

    pub(super) fn glob_set(
        &self,
        name: &str,
        patterns: &[(&str, Range<usize>)],
    ) -> Result<GlobSet, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for (pattern, span) in patterns {
            builder.add(self.glob(name, pattern, span.clone())?);
        }
        // Each glob compiled on its own above, so a failure here is not the user's pattern.
        builder.build().map_err(|error| {
            let span = patterns.first().map_or(0..0, |(_, span)| span.clone());
            self.error(span, format!("cannot compile `{name}`: {error}"))
        })
    }
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

fn key_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
