//! YAML (Kubernetes manifests): replace a scalar, or add `key: value` (and the mappings it
//! needs) as the last entry of a block mapping, at its keys' column.

use super::{Literal, Syntax};
use crate::source::SourceFile;

pub struct Yaml;

impl Syntax for Yaml {
    fn value_span(&self, text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let entry = text.get(start..end)?;
        // The first `:` followed by a blank ends a plain or quoted key.
        let colon = entry
            .char_indices()
            .find(|(i, c)| {
                *c == ':'
                    && entry[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(|n| n == ' ' || n == '\n' || n == '\t')
            })?
            .0;
        let value = &entry[colon + 1..];
        let mut value = value.split('\n').next().unwrap_or("");
        // A trailing comment stays; plain scalars end before ` #`.
        if !value.trim_start().starts_with(['"', '\'']) {
            if let Some(comment) = value.find(" #") {
                value = &value[..comment];
            }
        }
        let value_start = start + colon + 1 + (value.len() - value.trim_start().len());
        let value_end = start + colon + 1 + value.trim_end().len();
        (value_start < value_end).then_some((value_start, value_end))
    }

    fn is_literal(&self, value: &str) -> bool {
        let value = value.trim();
        !value.is_empty()
            && !value.contains(" #")
            && !value.starts_with(['*', '&', '!', '|', '>', '[', '{', '#'])
    }

    fn render(&self, value: &Literal) -> String {
        match value {
            Literal::Bool(b) => b.to_string(),
            Literal::Str(s) => {
                let plain = !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
                    && !matches!(
                        s.to_ascii_lowercase().as_str(),
                        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
                    )
                    && s.parse::<f64>().is_err();
                if plain {
                    s.clone()
                } else {
                    serde_json::Value::String(s.clone()).to_string()
                }
            }
        }
    }

    fn insert(
        &self,
        file: &SourceFile,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)> {
        // The anchor is an entry of a block mapping (`name: app`, possibly after `- `):
        // the mapping's keys sit at the anchor's column.
        let text = &*file.text;
        let start = file.line_start_of(anchor);
        if !text[start..anchor].chars().all(|c| c == ' ' || c == '-') {
            return None;
        }
        insert_in_mapping(text, start, anchor - start, path, &self.render(value))
    }
}

/// Add `path: value` to the block mapping whose first line starts at `first_line` and whose
/// keys sit at `column`: descend into the keys that exist, append the rest after the
/// mapping's last line.
fn insert_in_mapping(
    text: &str,
    first_line: usize,
    column: usize,
    path: &[&str],
    value: &str,
) -> Option<(usize, String)> {
    let (wanted, rest) = path.split_first()?;
    let mut offset = first_line;
    let mut end_of_mapping = first_line;
    let mut found: Option<usize> = None;
    let mut first = true;
    while offset < text.len() {
        let line_end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = text[offset..line_end].trim_end_matches(['\n', '\r']);
        let content = line.trim_start();
        let indent = line.len() - content.len();
        let blank = content.is_empty() || content.starts_with('#');
        if !first && !blank && (indent < column || content == "---" || content == "...") {
            break;
        }
        if !blank {
            let key_at = if first { column } else { indent };
            // A `- ` line at the keys' column is a compact sequence under the previous key.
            if key_at == column && (first || !content.starts_with("- ")) {
                let key = line
                    .get(column..)
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("");
                if key.trim().trim_matches(['"', '\'']) == *wanted {
                    found = Some(offset);
                }
            }
            end_of_mapping = line_end;
        }
        first = false;
        offset = line_end;
    }
    match found {
        // Already written: not a missing attribute after all.
        Some(_) if rest.is_empty() => None,
        Some(key_line) => {
            let key_end = text[key_line..]
                .find('\n')
                .map_or(text.len(), |i| key_line + i + 1);
            let after_colon = text[key_line..key_end].split_once(':')?.1.trim();
            if !(after_colon.is_empty() || after_colon.starts_with('#')) {
                // A flow mapping or a scalar: rewriting it would reformat.
                return None;
            }
            let child = text[key_end..]
                .lines()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
            let child_column = child.len() - child.trim_start().len();
            if child_column <= column || child.trim_start().starts_with("- ") {
                return None;
            }
            insert_in_mapping(text, key_end, child_column, rest, value)
        }
        None => {
            let mut out = String::new();
            if !text[..end_of_mapping].ends_with('\n') {
                out.push('\n');
            }
            let mut indent = " ".repeat(column);
            for (i, key) in path.iter().enumerate() {
                if i + 1 == path.len() {
                    out.push_str(&format!("{indent}{key}: {value}\n"));
                } else {
                    out.push_str(&format!("{indent}{key}:\n"));
                    indent.push_str("  ");
                }
            }
            Some((end_of_mapping, out))
        }
    }
}
