//! JSON (ARM templates): replace a property's value, or add a property (and the objects it
//! needs) after the last property of its object, indented like its siblings. Objects are
//! found with jsonc-parser, so comments and trailing commas are respected.

use super::{line_indent, Literal, Syntax};
use jsonc_parser::ast::{Object, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

pub struct Json;

fn parse(text: &str) -> Option<(Value<'_>, usize)> {
    let (body, offset) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    };
    let parsed =
        jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &ParseOptions::default())
            .ok()?;
    Some((parsed.value?, offset))
}

fn object_prop<'a, 'b>(
    object: &'b Object<'a>,
    key: &str,
) -> Option<&'b jsonc_parser::ast::ObjectProp<'a>> {
    object
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(key))
}

/// The innermost object whose range holds `offset` (body offsets, BOM excluded).
fn innermost<'a, 'b>(value: &'b Value<'a>, offset: usize) -> Option<&'b Object<'a>> {
    let range = value.range();
    if offset < range.start || offset >= range.end {
        return None;
    }
    match value {
        Value::Object(object) => object
            .properties
            .iter()
            .find_map(|p| innermost(&p.value, offset))
            .or(Some(object)),
        Value::Array(array) => array.elements.iter().find_map(|e| innermost(e, offset)),
        _ => None,
    }
}

impl Syntax for Json {
    fn value_span(&self, text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let property = text.get(start..end)?;
        let bytes = property.as_bytes();
        if bytes.first() != Some(&b'"') {
            return None;
        }
        let mut i = 1;
        while i < bytes.len() && bytes[i] != b'"' {
            if bytes[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        let colon = i + property.get(i..)?.find(':')?;
        let value = &property[colon + 1..];
        let value_start = start + colon + 1 + (value.len() - value.trim_start().len());
        let value_end = start + property.trim_end().len();
        (value_start < value_end).then_some((value_start, value_end))
    }

    fn is_literal(&self, value: &str) -> bool {
        let value = value.trim();
        // `"[...]"` is an ARM expression; `"[["` escapes a literal bracket.
        super::is_keyword_or_number(value)
            || (value.starts_with('"')
                && (!value.starts_with("\"[") || value.starts_with("\"[["))
                && serde_json::from_str::<String>(value).is_ok())
    }

    fn render(&self, value: &Literal) -> String {
        match value {
            Literal::Bool(b) => b.to_string(),
            Literal::Str(s) => serde_json::Value::String(s.clone()).to_string(),
        }
    }

    fn insert(
        &self,
        text: &str,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)> {
        let (root, offset) = parse(text)?;
        let anchor = anchor.checked_sub(offset)?;
        let mut object = innermost(&root, anchor)?;
        // An anchor on a property whose value is an object (`"aadProfile": {...}`) means
        // that object; on a scalar (a resource's `type`, a pool's `name`), the object around it.
        let mut segments: Vec<&str> = path.to_vec();
        if let Some(prop) = object
            .properties
            .iter()
            .find(|p| p.range.start == anchor && p.value.as_object().is_some())
        {
            object = prop.value.as_object()?;
            // The path up to the anchor is already written.
            let name = prop.name.as_str();
            if let Some(i) = segments.iter().position(|s| s.eq_ignore_ascii_case(name)) {
                segments.drain(..=i);
            }
        }
        let is_resource =
            object_prop(object, "type").is_some() && object_prop(object, "apiVersion").is_some();
        if is_resource && !segments.first()?.eq_ignore_ascii_case("properties") {
            segments.insert(0, "properties");
        }
        let mut rest = segments.as_slice();
        while let [first, tail @ ..] = rest {
            match object_prop(object, first) {
                Some(prop) if !tail.is_empty() => {
                    object = prop.value.as_object()?;
                    rest = tail;
                }
                // The attribute is written after all (e.g. `null`): not ours to guess.
                Some(_) => return None,
                None => break,
            }
        }
        if rest.is_empty() {
            return None;
        }
        let rendered = self.render(value);
        let Some(last) = object.properties.last() else {
            // `{}`: fill it on its own line below the brace.
            let open = object.range.start + offset;
            let outer = line_indent(text, open).to_string();
            let indent = format!("{outer}  ");
            let mut out = String::from("\n");
            super::nested_object(&mut out, rest, &indent, "  ", &rendered, super::quoted_key);
            out.push('\n');
            out.push_str(&outer);
            return Some((open + 1, out));
        };
        let last_start = last.range.start + offset;
        let indent = line_indent(text, last_start);
        if indent.len() != last_start - super::line_start(text, last_start) {
            // Several properties on one line: a new line would reformat the object.
            return None;
        }
        let outer = line_indent(text, object.range.start + offset);
        let unit = indent
            .strip_prefix(outer)
            .filter(|u| !u.is_empty())
            .unwrap_or("  ");
        let mut out = String::from(",\n");
        super::nested_object(&mut out, rest, indent, unit, &rendered, super::quoted_key);
        Some((last.range.end + offset, out))
    }
}
