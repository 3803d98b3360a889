//! JSON (ARM templates): replace a property's value, or add a property (and the objects it
//! needs) after the last property of its object, indented like its siblings. Objects are
//! found with jsonc-parser, so comments and trailing commas are respected.

use super::{line_indent, Literal, Syntax};
use crate::json::{Json as Tree, Prop};
use crate::source::SourceFile;

pub struct Json;

fn object_prop<'a>(props: &'a [Prop], key: &str) -> Option<&'a Prop> {
    props.iter().find(|p| p.key.eq_ignore_ascii_case(key))
}

/// The innermost object whose span holds `offset`. Members are in source order, so each
/// level is a binary search: a template with thousands of resources is not scanned once
/// per fix.
fn innermost(value: &Tree, offset: usize) -> Option<&Tree> {
    let holds = |start: u32, end: u32| (start as usize) <= offset && offset < end as usize;
    if !holds(value.loc.start, value.loc.end) {
        return None;
    }
    if let Some(props) = value.as_object() {
        let after = props.partition_point(|p| p.loc.start as usize <= offset);
        let inner = after
            .checked_sub(1)
            .map(|i| &props[i])
            .filter(|p| holds(p.loc.start, p.loc.end))
            .and_then(|p| innermost(&p.value, offset));
        return inner.or(Some(value));
    }
    let items = value.as_array()?;
    let after = items.partition_point(|e| e.loc.start as usize <= offset);
    innermost(&items[after.checked_sub(1)?], offset)
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
        file: &SourceFile,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)> {
        // The file's JSON tree (spans count a leading BOM), parsed again once the scan let
        // its own go (`SourceFile::release_syntax`) and shared by all the file's fixes.
        let parsed = crate::json::tree(file);
        let mut object = innermost((*parsed).as_ref().ok()?, anchor)?;
        let mut props = object.as_object()?;
        // An anchor on a property whose value is an object (`"aadProfile": {...}`) means
        // that object; on a scalar (a resource's `type`, a pool's `name`), the object around it.
        let mut segments: Vec<&str> = path.to_vec();
        if let Some(prop) = props
            .iter()
            .find(|p| p.loc.start as usize == anchor && p.value.as_object().is_some())
        {
            object = &prop.value;
            props = object.as_object()?;
            // The path up to the anchor is already written.
            if let Some(i) = segments
                .iter()
                .position(|s| s.eq_ignore_ascii_case(&prop.key))
            {
                segments.drain(..=i);
            }
        }
        let is_resource =
            object_prop(props, "type").is_some() && object_prop(props, "apiVersion").is_some();
        if is_resource && !segments.first()?.eq_ignore_ascii_case("properties") {
            segments.insert(0, "properties");
        }
        let mut rest = segments.as_slice();
        while let [first, tail @ ..] = rest {
            match object_prop(props, first) {
                Some(prop) if !tail.is_empty() => {
                    object = &prop.value;
                    props = object.as_object()?;
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
        let open = object.loc.start as usize;
        let Some(last) = props.last() else {
            // `{}`: fill it on its own line below the brace.
            let outer = line_indent(file, open).to_string();
            let indent = format!("{outer}  ");
            let mut out = String::from("\n");
            super::nested_object(&mut out, rest, &indent, "  ", &rendered, super::quoted_key);
            out.push('\n');
            out.push_str(&outer);
            return Some((open + 1, out));
        };
        let last_start = last.loc.start as usize;
        let indent = line_indent(file, last_start);
        if indent.len() != last_start - file.line_start_of(last_start) {
            // Several properties on one line: a new line would reformat the object.
            return None;
        }
        let outer = line_indent(file, open);
        let unit = indent
            .strip_prefix(outer)
            .filter(|u| !u.is_empty())
            .unwrap_or("  ");
        let mut out = String::from(",\n");
        super::nested_object(&mut out, rest, indent, unit, &rendered, super::quoted_key);
        Some((last.loc.end as usize, out))
    }
}
