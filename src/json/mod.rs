//! JSON syntax for every reader (ARM templates and parameters, Terraform's `*.tf.json` and
//! `*.tfvars.json`, `bicepconfig.json`, plans, the fixer), so no format reaches into another
//! format's module for it.
//!
//! JSON (with comments and trailing commas) is parsed into a small tree that keeps byte spans
//! of the original text, so every evaluated value can say where it was written: by [`fast`]
//! when the text is plain JSON, else by jsonc-parser (JSON5 forms, and every error message). Offsets index the text as given, including a leading UTF-8 BOM. Plans, already
//! checked by serde_json, take the one-pass [`located`] conversion instead.

mod fast;
mod located;

pub use located::located;

use crate::source::{FileId, Loc, SourceFile};
use crate::value::{Entry, Kind, Value};
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};
use std::fmt::Write;

#[derive(Debug, PartialEq)]
pub(crate) struct Json {
    pub loc: Loc,
    pub node: Node,
}

#[derive(Debug, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Prop>),
}

#[derive(Debug, PartialEq)]
pub(crate) struct Prop {
    pub key: String,
    /// From the key's opening quote to the end of the value.
    pub loc: Loc,
    pub value: Json,
}

/// A JSON syntax error as byte offsets into the text that was parsed (a leading BOM
/// counted): `start` is the offending character.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

impl SyntaxError {
    /// Where the error is, in `file`.
    pub fn loc(&self, file: FileId) -> Loc {
        Loc::new(file, self.start, self.end)
    }
}

impl Json {
    pub fn as_object(&self) -> Option<&[Prop]> {
        match &self.node {
            Node::Object(props) => Some(props),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.node {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.node {
            Node::String(s) => Some(s),
            _ => None,
        }
    }
    /// Looked up case-insensitively, as ARM reads property names; the first match wins.
    pub fn prop(&self, key: &str) -> Option<&Prop> {
        self.as_object()?
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(key))
    }
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.prop(key).map(|p| &p.value)
    }

    /// The JSON as a value without evaluating any expression.
    pub fn to_value(&self) -> Value {
        let kind = match &self.node {
            Node::Null => Kind::Null,
            Node::Bool(b) => Kind::Bool(*b),
            Node::Number(n) => Kind::Number(*n),
            Node::String(s) => Kind::String(s.clone()),
            Node::Array(items) => Kind::List(items.iter().map(Json::to_value).collect()),
            Node::Object(props) => Kind::Map(
                props
                    .iter()
                    .map(|p| Entry {
                        key: p.key.clone(),
                        key_loc: Some(p.loc),
                        value: p.value.to_value(),
                    })
                    .collect(),
            ),
        };
        Value::new(kind, Some(self.loc))
    }

    /// The tree as [`convert`] would give it `depth` levels deep: deeper values as null.
    fn to_depth(&self, depth: usize) -> Json {
        if depth == 0 {
            return Json {
                loc: self.loc,
                node: Node::Null,
            };
        }
        let node = match &self.node {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(*b),
            Node::Number(n) => Node::Number(*n),
            Node::String(s) => Node::String(s.clone()),
            Node::Array(items) => {
                Node::Array(items.iter().map(|j| j.to_depth(depth - 1)).collect())
            }
            Node::Object(props) => Node::Object(
                props
                    .iter()
                    .map(|p| Prop {
                        key: p.key.clone(),
                        loc: p.loc,
                        value: p.value.to_depth(depth - 1),
                    })
                    .collect(),
            ),
        };
        Json {
            loc: self.loc,
            node,
        }
    }

    /// The tree as a value whose every node and key is at `loc` (text made at run time).
    fn into_detached(self, loc: Option<Loc>) -> Value {
        let kind = match self.node {
            Node::Null => Kind::Null,
            Node::Bool(b) => Kind::Bool(b),
            Node::Number(n) => Kind::Number(n),
            Node::String(s) => Kind::String(s),
            Node::Array(items) => {
                Kind::List(items.into_iter().map(|j| j.into_detached(loc)).collect())
            }
            Node::Object(props) => Kind::Map(
                props
                    .into_iter()
                    .map(|p| Entry {
                        key: p.key,
                        key_loc: loc,
                        value: p.value.into_detached(loc),
                    })
                    .collect(),
            ),
        };
        Value::new(kind, loc)
    }
}

fn parse_options() -> ParseOptions {
    ParseOptions {
        // Newtonsoft (what ARM uses) is lenient about quotes, but a missing comma is an
        // error there and almost always a typo here.
        allow_missing_commas: false,
        ..ParseOptions::default()
    }
}

/// The text without a leading BOM, and the BOM's length.
fn without_bom(text: &str) -> (&str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, text.len() - rest.len()),
        None => (text, 0),
    }
}

/// The tree of plain JSON from the fast path, `None` for text only jsonc-parser reads.
fn parse_fast(file: FileId, text: &str) -> Option<Json> {
    let (body, offset) = without_bom(text);
    fast::parse(file, body, offset)
}

fn parse_ast(text: &str) -> Result<(ast::Value<'_>, usize), SyntaxError> {
    let (body, offset) = without_bom(text);
    let parsed = jsonc_parser::parse_to_ast(body, &CollectOptions::default(), &parse_options())
        .map_err(|e| {
            let range = e.range();
            let start = range.start + offset;
            // An empty range (a missing comma) still gets one character to underline.
            let end = match text.get(start..).and_then(|rest| rest.chars().next()) {
                Some(c) if range.end <= range.start => start + c.len_utf8(),
                _ => range.end + offset,
            };
            SyntaxError {
                start,
                end,
                message: e.kind().to_string(),
            }
        })?;
    match parsed.value {
        Some(value) => Ok((value, offset)),
        None => Err(SyntaxError {
            start: text.len(),
            end: text.len(),
            message: "the file holds no JSON value".to_string(),
        }),
    }
}

/// How many JSON texts were parsed whole since the process started (the `json()` function's
/// run-time texts aside): a scan parses each of its JSON files once (tests/json_parse_once.rs).
static PARSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[doc(hidden)]
pub fn parses() -> usize {
    PARSES.load(std::sync::atomic::Ordering::Relaxed)
}

/// A JSON file's tree, or why it does not parse: kept with the file
/// ([`SourceFile::syntax`]) and read by every stage.
pub(crate) type Parsed = Result<Json, SyntaxError>;

/// The tree of a JSON file: parsed on the first call (unless [`keep`] gave it), the same
/// tree for every later one, so classifying, evaluating (once per module instance that
/// deploys it), asking whether Bicep compiled it and rendering its fixes cost one parse.
pub(crate) fn tree(file: &SourceFile) -> std::sync::Arc<Parsed> {
    file.syntax::<Parsed>(|text| parse(file.id, text))
}

/// Keeps `parsed` as the file's tree for [`tree`] (the first tree kept stays).
pub(crate) fn keep(file: &SourceFile, parsed: Parsed) {
    file.syntax::<Parsed>(|_| parsed);
}

/// Parses `text` and hands `decide` its shape, `depth` levels deep (deeper values as
/// null): it says what the document is and whether its whole tree is wanted, which is then
/// converted from the same parse. A file that turns out to be of no interest costs one
/// parse and a shallow tree, one that is costs one parse.
pub(crate) fn parse_shaped<K>(
    file: FileId,
    text: &str,
    depth: usize,
    decide: impl FnOnce(&Json) -> (K, bool),
) -> Result<(K, Option<Json>), SyntaxError> {
    PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Some(tree) = parse_fast(file, text) {
        let (kind, whole) = decide(&tree.to_depth(depth));
        return Ok((kind, whole.then_some(tree)));
    }
    let (value, offset) = parse_ast(text)?;
    let loc_of = |(start, end)| Loc::new(file, start + offset, end + offset);
    let (kind, whole) = decide(&convert(&value, &loc_of, depth));
    Ok((kind, whole.then(|| convert(&value, &loc_of, usize::MAX))))
}

/// Parses `text`; spans are reported in `file`.
pub(crate) fn parse(file: FileId, text: &str) -> Result<Json, SyntaxError> {
    parse_to_depth(file, text, usize::MAX)
}

/// As [`parse`], but values nested deeper than `depth` levels come out as null: enough to
/// look at the shape of a document without paying for all of it.
pub(crate) fn parse_to_depth(file: FileId, text: &str, depth: usize) -> Result<Json, SyntaxError> {
    PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Some(tree) = parse_fast(file, text) {
        return Ok(if depth == usize::MAX {
            tree
        } else {
            tree.to_depth(depth)
        });
    }
    parse_jsonc(file, text, depth)
}

/// [`parse_to_depth`] by jsonc-parser alone.
fn parse_jsonc(file: FileId, text: &str, depth: usize) -> Result<Json, SyntaxError> {
    let (value, offset) = parse_ast(text)?;
    let loc_of = |(start, end)| Loc::new(file, start + offset, end + offset);
    Ok(convert(&value, &loc_of, depth))
}

/// Any JSON document as a value with spans, no expression evaluated (`*.tfvars.json`,
/// `bicepconfig.json`, an ARM parameter's value).
pub(crate) fn value(file: FileId, text: &str) -> Result<Value, SyntaxError> {
    parse(file, text).map(|j| j.to_value())
}

/// Parses JSON text produced at run time (the `json()` function): every node gets `loc`.
pub(crate) fn parse_detached(text: &str, loc: Option<Loc>) -> Option<Value> {
    if let Some(tree) = parse_fast(0, text) {
        return Some(tree.into_detached(loc));
    }
    let (value, _) = parse_ast(text).ok()?;
    Some(convert_value(&value, loc))
}

fn range_of(node: &impl Ranged) -> (usize, usize) {
    let r = node.range();
    (r.start, r.end)
}

fn convert(value: &ast::Value<'_>, loc_of: &dyn Fn((usize, usize)) -> Loc, depth: usize) -> Json {
    if depth == 0 {
        return Json {
            loc: loc_of(range_of(value)),
            node: Node::Null,
        };
    }
    let depth = depth - 1;
    let (loc, node) = match value {
        ast::Value::NullKeyword(n) => (loc_of(range_of(n)), Node::Null),
        ast::Value::BooleanLit(b) => (loc_of(range_of(b)), Node::Bool(b.value)),
        ast::Value::NumberLit(n) => (loc_of(range_of(n)), number(n.value)),
        ast::Value::StringLit(s) => (loc_of(range_of(s)), Node::String(s.value.to_string())),
        ast::Value::Array(a) => (
            loc_of(range_of(a)),
            Node::Array(
                a.elements
                    .iter()
                    .map(|e| convert(e, loc_of, depth))
                    .collect(),
            ),
        ),
        ast::Value::Object(o) => (
            loc_of(range_of(o)),
            Node::Object(
                o.properties
                    .iter()
                    .map(|p| Prop {
                        key: p.name.as_str().to_string(),
                        loc: loc_of(range_of(p)),
                        value: convert(&p.value, loc_of, depth),
                    })
                    .collect(),
            ),
        ),
    };
    Json { loc, node }
}

fn convert_value(value: &ast::Value<'_>, loc: Option<Loc>) -> Value {
    let kind = match value {
        ast::Value::NullKeyword(_) => Kind::Null,
        ast::Value::BooleanLit(b) => Kind::Bool(b.value),
        ast::Value::NumberLit(n) => match number(n.value) {
            Node::Number(x) => Kind::Number(x),
            _ => Kind::String(n.value.to_string()),
        },
        ast::Value::StringLit(s) => Kind::String(s.value.to_string()),
        ast::Value::Array(a) => {
            Kind::List(a.elements.iter().map(|e| convert_value(e, loc)).collect())
        }
        ast::Value::Object(o) => Kind::Map(
            o.properties
                .iter()
                .map(|p| Entry {
                    key: p.name.as_str().to_string(),
                    key_loc: loc,
                    value: convert_value(&p.value, loc),
                })
                .collect(),
        ),
    };
    Value::new(kind, loc)
}

/// `text` as a JSON string literal onto `out`: `"` and `\` escaped, line feed, carriage
/// return and tab by name, every other C0 control and each character `also` picks as
/// `\uXXXX` (one per UTF-16 unit), the rest as it is.
pub fn write_string(out: &mut String, text: &str, also: impl Fn(char) -> bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || also(c) => push_unicode_escape(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `c` as the JSON `\uXXXX` escape of each of its UTF-16 code units.
pub fn push_unicode_escape(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let _ = write!(out, "\\u{unit:04x}");
    }
}

/// jsonc-parser hands numbers over as text, including JSON5 forms (hex, `+1`, `.5`).
fn number(text: &str) -> Node {
    if let Ok(n) = text.parse::<f64>() {
        return Node::Number(n);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let parsed = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok().map(|n| n as f64)
    } else {
        let filled = if digits.ends_with('.') {
            format!("{digits}0")
        } else if digits.starts_with('.') {
            format!("0{digits}")
        } else {
            digits.to_string()
        };
        filled.parse::<f64>().ok()
    };
    match parsed {
        Some(n) if negative => Node::Number(-n),
        Some(n) => Node::Number(n),
        None => Node::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_past_a_bom_and_get_one_character() {
        let text = "\u{feff}{\n  \"a\": 1\n  \"b\": 2\n}";
        let e = parse(4, text).unwrap_err();
        // A missing comma is underlined where it belongs: the line break after `1`.
        let at = text.find("1\n").unwrap() + 1;
        assert_eq!((e.start, e.end), (at, at + 1));
        assert_eq!(e.loc(4), Loc::new(4, at, at + 1));
        let empty = parse(0, "  ").unwrap_err();
        assert_eq!((empty.start, empty.end), (2, 2));
    }

    #[test]
    fn strings_are_written_with_the_escapes_asked_for() {
        let mut out = String::new();
        write_string(&mut out, "a\"\\\n\u{1}\u{1F600}<é", |c| {
            c == '<' || c == '\u{1F600}'
        });
        assert_eq!(out, r#""a\"\\\n\u0001\ud83d\ude00\u003cé""#);
    }

    #[test]
    fn values_keep_spans_and_depth_cuts_to_null() {
        let text = "{ // a comment\n \"k\": [0x10, .5, {\"deep\": true},] }";
        let v = value(2, text).unwrap();
        let k = v.entry("k").unwrap();
        let loc = k.key_loc.unwrap();
        assert_eq!(
            &text[loc.start as usize..loc.end as usize],
            "\"k\": [0x10, .5, {\"deep\": true},]"
        );
        let items = k.value.as_list().unwrap();
        assert_eq!(items[0].as_number(), Some(16.0));
        assert_eq!(items[1].as_number(), Some(0.5));
        let shallow = parse_to_depth(2, text, 2).unwrap();
        let list = shallow.get("K").and_then(Json::as_array).unwrap();
        assert!(matches!(list[2].node, Node::Null));
    }
}
