//! HCL (Terraform): replace an attribute's value, or add an attribute (and the nested blocks
//! it needs) as the last line of a block, indented like its siblings.

use super::{line_indent, Literal, Syntax};
use crate::source::SourceFile;

pub struct Hcl;

impl Syntax for Hcl {
    fn value_span(&self, text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let attribute = text.get(start..end)?;
        let equals = attribute.find('=')?;
        let value = &attribute[equals + 1..];
        let leading = value.len() - value.trim_start().len();
        let value_start = start + equals + 1 + leading;
        let value_end = start + attribute.trim_end().len();
        (value_start < value_end).then_some((value_start, value_end))
    }

    fn is_literal(&self, value: &str) -> bool {
        let value = value.trim();
        super::is_keyword_or_number(value)
            || (value.len() >= 2
                && value.starts_with('"')
                && value.ends_with('"')
                && !value.contains("${")
                && !value.contains("%{")
                && !value[1..value.len() - 1].replace("\\\"", "").contains('"'))
    }

    fn render(&self, value: &Literal) -> String {
        match value {
            Literal::Bool(b) => b.to_string(),
            Literal::Str(s) => quote(s),
        }
    }

    fn insert(
        &self,
        file: &SourceFile,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)> {
        let text = &*file.text;
        let open = find_open_brace(text, anchor)?;
        let header = text.get(anchor..open)?;
        let first_word: String = header
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        // The anchor is the innermost block that exists: the part of the path up to it is
        // already written.
        let remaining = match path.iter().position(|s| *s == first_word) {
            Some(i) => &path[i + 1..],
            None => path,
        };
        if remaining.is_empty() {
            return None;
        }
        let close = matching_brace(text, open)?;
        let close_line = file.line_start_of(close);
        if !text[close_line..close].trim().is_empty() {
            // `block { a = 1 }` on one line: adding a line would reformat it.
            return None;
        }
        let outer = line_indent(file, close).to_string();
        let body_start = text[open..].find('\n').map(|i| open + i + 1)?;
        let indent = text
            .get(body_start..close_line)
            .unwrap_or("")
            .lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| l[..l.len() - l.trim_start().len()].to_string())
            .filter(|i| i.len() > outer.len())
            .unwrap_or_else(|| format!("{outer}  "));
        let unit = indent[outer.len()..].to_string();
        let mut out = String::new();
        nested(&mut out, remaining, &indent, &unit, &self.render(value));
        Some((close_line, out))
    }
}

fn nested(out: &mut String, path: &[&str], indent: &str, unit: &str, value: &str) {
    match path {
        [last] => out.push_str(&format!("{indent}{last} = {value}\n")),
        [block, rest @ ..] => {
            out.push_str(&format!("{indent}{block} {{\n"));
            nested(out, rest, &format!("{indent}{unit}"), unit, value);
            out.push_str(&format!("{indent}}}\n"));
        }
        [] => {}
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' | '%' => {
                // `${` and `%{` start templates; doubling escapes them.
                out.push(c);
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The block's `{` after its header (labels are quoted strings without braces).
fn find_open_brace(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => return Some(from + i),
            '\n' if !in_string => return None,
            _ => {}
        }
    }
    None
}

/// The `}` closing the `{` at `open`, skipping strings, template interpolations and
/// comments. Heredocs are rare in cluster definitions and hard to skip: no fix there.
fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                let mut interpolation = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                            interpolation += 1;
                            i += 1;
                        }
                        b'}' if interpolation > 0 => interpolation -= 1,
                        b'"' if interpolation == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'#' => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map(|n| i + 2 + n + 1)?
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => return None,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}
