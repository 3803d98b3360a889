//! Bicep: replace a property's value, or add `key: value` (and the objects it needs) on a
//! new line after the last property of its object, indented like its siblings. Objects are
//! found in the tree-sitter tree, so `if` and `for` bodies and nested objects are respected.

use super::{line_indent, Literal, Syntax};
use crate::bicep::syntax;
use crate::source::SourceFile;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use tree_sitter::Node;

pub struct Bicep;

/// The byte offset just past a quoted string starting at `start` (`'...'`, `\'` escaped).
fn past_string(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The body object of a resource declaration: `= {`, `= if (c) {` or `= [for x in y: {`.
fn resource_body(declaration: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = declaration.walk();
    let children: Vec<Node<'_>> = declaration.named_children(&mut cursor).collect();
    for child in children.into_iter().rev() {
        if let Some(body) = object_of(child) {
            return Some(body);
        }
    }
    None
}

fn object_of(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "object" => Some(node),
        "if_statement" | "for_statement" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            children.into_iter().rev().find_map(object_of)
        }
        _ => None,
    }
}

/// A property's key as written (`name`, `'name'`).
fn key_of<'t>(property: Node<'t>, text: &'t str) -> Option<&'t str> {
    let key = property.named_child(0)?;
    let raw = text.get(key.start_byte()..key.end_byte())?;
    Some(raw.trim_matches('\''))
}

fn property<'t>(object: Node<'t>, text: &str, name: &str) -> Option<Node<'t>> {
    let mut cursor = object.walk();
    let found = object
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "object_property")
        .find(|p| key_of(*p, text).is_some_and(|k| k.eq_ignore_ascii_case(name)));
    found
}

/// The value of a property (its last named child), when it is an object.
fn object_value(property: Node<'_>) -> Option<Node<'_>> {
    let value = property.named_child(property.named_child_count().checked_sub(1)?)?;
    (value.kind() == "object").then_some(value)
}

fn render_string(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("\\$"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl Syntax for Bicep {
    fn value_span(&self, text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let written = text.get(start..end)?;
        // `key: value` or `'key': value`; a bare value (a module argument's default, a
        // call-site value) is its own span.
        let key_end = if written.starts_with('\'') {
            past_string(text, start)? - start
        } else {
            written
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(written.len())
        };
        let after_key = written.get(key_end..)?;
        let value = match after_key.trim_start().strip_prefix(':') {
            Some(value) if key_end > 0 => value,
            _ => return (!written.trim().is_empty()).then_some((start, end)),
        };
        let value_start = end - value.len() + (value.len() - value.trim_start().len());
        let value_end = start + written.trim_end().len();
        (value_start < value_end).then_some((value_start, value_end))
    }

    fn is_literal(&self, value: &str) -> bool {
        let value = value.trim();
        super::is_keyword_or_number(value)
            || (value.len() >= 2
                && value.starts_with('\'')
                && value.ends_with('\'')
                && !value.contains("${")
                && !value.starts_with("'''"))
    }

    fn render(&self, value: &Literal) -> String {
        match value {
            Literal::Bool(b) => b.to_string(),
            Literal::Str(s) => render_string(s),
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
        let tree = parsed(file)?;
        let tree = &tree;
        if tree.root_node().has_error() {
            return None;
        }
        let at = tree.root_node().descendant_for_byte_range(anchor, anchor)?;
        let mut segments: Vec<&str> = path.to_vec();
        // The anchor is a resource's header (its type string), a property whose value is
        // an object (that object), or a scalar property (the object around it).
        let mut node = Some(at);
        let mut object = None;
        while let Some(n) = node {
            match n.kind() {
                "resource_declaration" => {
                    object = resource_body(n);
                    if !segments.first()?.eq_ignore_ascii_case("properties") {
                        segments.insert(0, "properties");
                    }
                    break;
                }
                "object_property" => {
                    if let Some(inner) = object_value(n).filter(|_| n.start_byte() == anchor) {
                        let name = key_of(n, text)?;
                        if let Some(i) = segments.iter().position(|s| s.eq_ignore_ascii_case(name))
                        {
                            segments.drain(..=i);
                        }
                        object = Some(inner);
                    } else {
                        object = n.parent().filter(|p| p.kind() == "object");
                    }
                    break;
                }
                "object" => {
                    object = Some(n);
                    break;
                }
                _ => node = n.parent(),
            }
        }
        let mut object = object?;
        let mut rest = segments.as_slice();
        while let [first, tail @ ..] = rest {
            match property(object, text, first) {
                Some(prop) if !tail.is_empty() => {
                    object = object_value(prop)?;
                    rest = tail;
                }
                // Written after all (e.g. `null`, or an expression): not ours to guess.
                Some(_) => return None,
                None => break,
            }
        }
        if rest.is_empty() {
            return None;
        }
        let rendered = self.render(value);
        let mut cursor = object.walk();
        let last = object
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "object_property")
            .last();
        let outer = line_indent(file, object.start_byte()).to_string();
        let Some(last) = last else {
            // `{}` (or a one-line object): only fill an empty one, on its own lines.
            if text.get(object.start_byte()..object.end_byte())?.trim() != "{}" {
                return None;
            }
            let indent = format!("{outer}  ");
            let mut out = String::from("\n");
            super::nested_object(&mut out, rest, &indent, "  ", &rendered, super::bare_key);
            out.push('\n');
            out.push_str(&outer);
            return Some((object.start_byte() + 1, out));
        };
        let indent = line_indent(file, last.start_byte());
        if indent.len() != last.start_byte() - file.line_start_of(last.start_byte()) {
            // Several properties on one line: a new line would reformat the object.
            return None;
        }
        let unit = indent
            .strip_prefix(outer.as_str())
            .filter(|u| !u.is_empty())
            .unwrap_or("  ");
        let mut out = String::from("\n");
        super::nested_object(&mut out, rest, indent, unit, &rendered, super::bare_key);
        Some((last.end_byte(), out))
    }
}

/// Tokens of Bicep trees kept with their files for fixes, in the whole process.
pub(super) static KEPT_TOKENS: AtomicUsize = AtomicUsize::new(0);
/// The most [`KEPT_TOKENS`] may reach: about 400 MiB of trees.
pub(super) const MAX_KEPT_TOKENS: usize = 1_000_000;

thread_local! {
    /// The tree of the last file parsed past [`MAX_KEPT_TOKENS`], by [`super::Parsed::id`].
    static LAST: RefCell<Option<(u64, Option<tree_sitter::Tree>)>> = const { RefCell::new(None) };
}

/// The file's syntax tree, parsed once for all its fixes: kept with the file while the
/// trees kept so are under [`MAX_KEPT_TOKENS`], else as the last file's only.
fn parsed(file: &SourceFile) -> Option<tree_sitter::Tree> {
    let parse = file.fix_parse::<super::Parsed>();
    if let Some(tree) = parse.bicep.get() {
        return tree.clone();
    }
    let tokens = *parse.bicep_count.get_or_init(|| syntax::tokens(&file.text));
    if KEPT_TOKENS.fetch_add(tokens, Ordering::Relaxed) + tokens <= MAX_KEPT_TOKENS {
        let mut counted = false;
        let tree = parse.bicep.get_or_init(|| {
            counted = true;
            super::count_parse();
            syntax::parse(&file.text)
        });
        if counted {
            parse.bicep_tokens.store(tokens, Ordering::Relaxed);
        } else {
            KEPT_TOKENS.fetch_sub(tokens, Ordering::Relaxed);
        }
        return tree.clone();
    }
    KEPT_TOKENS.fetch_sub(tokens, Ordering::Relaxed);
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((id, tree)) = last.as_ref() {
            if *id == parse.id {
                return tree.clone();
            }
        }
        // The previous file's tree goes before this one is parsed.
        *last = None;
        super::count_parse();
        let tree = syntax::parse(&file.text);
        *last = Some((parse.id, tree.clone()));
        tree
    })
}
