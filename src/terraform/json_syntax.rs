//! Terraform's JSON syntax (`*.tf.json`): rewritten into native HCL text that the same
//! evaluator reads, with a map from every generated span back to the JSON it came from,
//! so findings point into the `.tf.json` file.

use crate::json::{self, Json, Node, Prop};
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Value};

/// Object-valued arguments that are maps, not nested blocks.
const MAP_ARGUMENTS: &[&str] = &["tags", "node_labels", "labels", "annotations", "metadata"];

/// Generated span -> JSON span.
#[derive(Debug, Default, Clone)]
pub struct SpanMap {
    file: FileId,
    /// (generated start, generated end, JSON start, JSON end), in generation order.
    segments: Vec<(u32, u32, u32, u32)>,
}

impl SpanMap {
    fn map_start(&self, x: u32) -> u32 {
        if let Some(s) = self.segments.iter().find(|s| s.0 == x) {
            return s.2;
        }
        self.containing(x).map(|s| s.2).unwrap_or(0)
    }

    fn map_end(&self, x: u32) -> u32 {
        // The outermost segment ending exactly here, else the innermost one around it.
        if let Some(s) = self
            .segments
            .iter()
            .filter(|s| s.1 == x)
            .max_by_key(|s| s.1 - s.0)
        {
            return s.3;
        }
        self.containing(x).map(|s| s.3).unwrap_or(0)
    }

    fn containing(&self, x: u32) -> Option<&(u32, u32, u32, u32)> {
        self.segments
            .iter()
            .filter(|s| s.0 <= x && x <= s.1)
            .min_by_key(|s| s.1 - s.0)
    }

    pub fn loc(&self, loc: Loc) -> Loc {
        if loc.file != self.file {
            return loc;
        }
        let start = self.map_start(loc.start);
        let end = self.map_end(loc.end).max(start);
        Loc {
            file: loc.file,
            start,
            end,
        }
    }

    /// Every location in `value` that lies in this file, mapped back to the JSON.
    pub fn value(&self, value: &mut Value) {
        if let Some(loc) = value.loc.as_mut() {
            *loc = self.loc(*loc);
        }
        match &mut value.kind {
            Kind::List(items) => items.iter_mut().for_each(|v| self.value(v)),
            Kind::Map(entries) => {
                for Entry { key_loc, value, .. } in entries {
                    if let Some(loc) = key_loc.as_mut() {
                        *loc = self.loc(*loc);
                    }
                    self.value(value);
                }
            }
            _ => {}
        }
    }
}

struct Writer {
    out: String,
    map: SpanMap,
}

impl Writer {
    fn segment(&mut self, start: usize, json: Loc) {
        self.map
            .segments
            .push((start as u32, self.out.len() as u32, json.start, json.end));
    }

    /// The `"key"` of a property: where a block header maps to.
    fn key_loc(prop: &Prop) -> Loc {
        let len = serde_json::to_string(&prop.key)
            .map(|k| k.len())
            .unwrap_or(2);
        Loc {
            file: prop.loc.file,
            start: prop.loc.start,
            end: prop.loc.start + len as u32,
        }
    }

    fn header(&mut self, ident: &str, labels: &[&str], key: &Prop) {
        let start = self.out.len();
        self.out.push_str(ident);
        for label in labels {
            self.out.push(' ');
            self.out.push_str(&quote(label));
        }
        self.segment(start, Self::key_loc(key));
        self.out.push(' ');
    }

    /// A block body: objects are nested blocks, lists of objects repeated blocks.
    fn block(&mut self, body: &Json, start: usize, loc: Loc) {
        self.out.push_str("{\n");
        for prop in body.as_object().unwrap_or(&[]) {
            if prop.key == "//" || !is_identifier(&prop.key) {
                continue;
            }
            match (&prop.value.node, prop.key.as_str()) {
                (Node::Object(labels), "dynamic") => {
                    for inner in labels {
                        let s = self.out.len();
                        self.header("dynamic", &[&inner.key], inner);
                        self.dynamic(&inner.value, s, inner.loc);
                    }
                }
                (Node::Object(_), key) if !MAP_ARGUMENTS.contains(&key) => {
                    let s = self.out.len();
                    self.header(key, &[], prop);
                    self.block(&prop.value, s, prop.loc);
                }
                (Node::Array(items), key)
                    if !items.is_empty() && items.iter().all(|i| i.as_object().is_some()) =>
                {
                    for item in items {
                        let s = self.out.len();
                        self.header(key, &[], prop);
                        self.block(item, s, item.loc);
                    }
                }
                _ => self.attribute(prop),
            }
        }
        self.out.push_str("}\n");
        self.segment(start, loc);
    }

    fn dynamic(&mut self, body: &Json, start: usize, loc: Loc) {
        self.out.push_str("{\n");
        for prop in body.as_object().unwrap_or(&[]) {
            match prop.key.as_str() {
                "content" => {
                    let s = self.out.len();
                    self.header("content", &[], prop);
                    self.block(&prop.value, s, prop.loc);
                }
                "iterator" => {
                    if let Some(name) = prop.value.as_str().filter(|n| is_identifier(n)) {
                        let s = self.out.len();
                        self.out.push_str(&format!("iterator = {name}"));
                        self.segment(s, prop.loc);
                        self.out.push('\n');
                    }
                }
                key if is_identifier(key) => self.attribute(prop),
                _ => {}
            }
        }
        self.out.push_str("}\n");
        self.segment(start, loc);
    }

    /// A body of arguments only (variable, output, locals, module, required_providers).
    fn arguments(&mut self, body: &Json, start: usize, loc: Loc) {
        self.out.push_str("{\n");
        for prop in body.as_object().unwrap_or(&[]) {
            if prop.key != "//" && is_identifier(&prop.key) {
                self.attribute(prop);
            }
        }
        self.out.push_str("}\n");
        self.segment(start, loc);
    }

    fn attribute(&mut self, prop: &Prop) {
        let start = self.out.len();
        self.out.push_str(&prop.key);
        self.out.push_str(" = ");
        self.expr(&prop.value);
        self.segment(start, prop.loc);
        self.out.push('\n');
    }

    fn expr(&mut self, value: &Json) {
        let start = self.out.len();
        match &value.node {
            Node::Null => self.out.push_str("null"),
            Node::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => self.out.push_str(&crate::value::format_number(*n)),
            Node::String(s) => self.out.push_str(&quote(s)),
            Node::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(item);
                }
                self.out.push(']');
            }
            Node::Object(props) => {
                self.out.push_str("{\n");
                for prop in props {
                    let s = self.out.len();
                    self.out.push_str(&quote_key(&prop.key));
                    self.out.push_str(" = ");
                    self.expr(&prop.value);
                    self.segment(s, prop.loc);
                    self.out.push('\n');
                }
                self.out.push('}');
            }
        }
        self.segment(start, value.loc);
    }
}

/// A JSON string is a template in Terraform's JSON syntax: keep `${...}` and `%{...}`.
fn quote(s: &str) -> String {
    // HCL reads JSON's string escapes; control characters are every one Rust calls so.
    let mut out = String::with_capacity(s.len() + 2);
    json::write_string(&mut out, s, char::is_control);
    out
}

/// An object key as a literal string (no interpolation).
fn quote_key(s: &str) -> String {
    quote(&s.replace("${", "$${").replace("%{", "%%{"))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Converts a `.tf.json` document into native syntax and the map back to the JSON.
pub fn to_native(file: FileId, text: &str) -> Result<(String, SpanMap), super::TfError> {
    let root = json::parse(file, text).map_err(|e| super::TfError {
        loc: Loc::new(file, e.start, e.end),
        message: format!("invalid JSON: {}", e.message),
    })?;
    let Some(top) = root.as_object() else {
        return Err(super::TfError {
            loc: root.loc,
            message: "expected a JSON object (Terraform JSON syntax)".to_string(),
        });
    };
    let mut w = Writer {
        out: String::new(),
        map: SpanMap {
            file,
            segments: Vec::new(),
        },
    };
    for section in top {
        let entries = section.value.as_object().unwrap_or(&[]);
        match section.key.as_str() {
            "resource" | "data" => {
                for kind in entries {
                    for name in kind.value.as_object().unwrap_or(&[]) {
                        for body in bodies(&name.value) {
                            let s = w.out.len();
                            w.header(&section.key, &[&kind.key, &name.key], name);
                            w.block(body, s, name.loc);
                        }
                    }
                }
            }
            "provider" => {
                for name in entries {
                    for body in bodies(&name.value) {
                        let s = w.out.len();
                        w.header("provider", &[&name.key], name);
                        w.block(body, s, name.loc);
                    }
                }
            }
            "module" | "variable" | "output" => {
                for name in entries {
                    for body in bodies(&name.value) {
                        let s = w.out.len();
                        w.header(&section.key, &[&name.key], name);
                        w.arguments(body, s, name.loc);
                    }
                }
            }
            "locals" => {
                for body in bodies(&section.value) {
                    let s = w.out.len();
                    w.header("locals", &[], section);
                    w.arguments(body, s, section.loc);
                }
            }
            "terraform" => {
                for body in bodies(&section.value) {
                    let s = w.out.len();
                    w.header("terraform", &[], section);
                    w.out.push_str("{\n");
                    for prop in body.as_object().unwrap_or(&[]) {
                        if prop.key == "required_providers" {
                            for providers in bodies(&prop.value) {
                                let p = w.out.len();
                                w.header("required_providers", &[], prop);
                                w.arguments(providers, p, prop.loc);
                            }
                        }
                    }
                    w.out.push_str("}\n");
                    w.segment(s, section.loc);
                }
            }
            _ => {}
        }
    }
    Ok((w.out, w.map))
}

/// A block's body, or each of a list of bodies.
fn bodies(json: &Json) -> Vec<&Json> {
    match &json.node {
        Node::Object(_) => vec![json],
        Node::Array(items) => items.iter().filter(|i| i.as_object().is_some()).collect(),
        _ => Vec::new(),
    }
}
