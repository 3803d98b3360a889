//! The evaluated value tree every format adapter produces. Each node remembers where it was
//! written (`loc`) and, when it travelled through a variable or parameter, what that was
//! (`origin`), so a finding can say "variable default at variables.tf:12".

use crate::source::Loc;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    /// Where this value is written in the source (for computed values: the expression).
    pub loc: Option<Loc>,
    /// How the value reached its use: "variable `x` default", "parameter `y` default", ...
    pub origin: Option<Arc<str>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(Vec<Entry>),
    /// Cannot be known offline; holds the expression text (e.g. `azurerm_kubernetes_cluster.aks.id`).
    Unknown(String),
}

/// One attribute, property or nested block. Keys may repeat (repeated HCL blocks).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    /// The whole attribute (`key = value`), property (`"key": value`) or block header.
    pub key_loc: Option<Loc>,
    pub value: Value,
}

impl Value {
    pub fn new(kind: Kind, loc: Option<Loc>) -> Value {
        Value {
            kind,
            loc,
            origin: None,
        }
    }
    pub fn null() -> Value {
        Value::new(Kind::Null, None)
    }
    pub fn unknown(expr: impl Into<String>, loc: Option<Loc>) -> Value {
        Value::new(Kind::Unknown(expr.into()), loc)
    }
    pub fn string(s: impl Into<String>, loc: Option<Loc>) -> Value {
        Value::new(Kind::String(s.into()), loc)
    }
    pub fn bool(b: bool, loc: Option<Loc>) -> Value {
        Value::new(Kind::Bool(b), loc)
    }
    pub fn number(n: f64, loc: Option<Loc>) -> Value {
        Value::new(Kind::Number(n), loc)
    }
    pub fn list(items: Vec<Value>, loc: Option<Loc>) -> Value {
        Value::new(Kind::List(items), loc)
    }
    pub fn map(entries: Vec<Entry>, loc: Option<Loc>) -> Value {
        Value::new(Kind::Map(entries), loc)
    }
    pub fn with_origin(mut self, origin: impl Into<Arc<str>>) -> Value {
        self.origin = Some(origin.into());
        self
    }
    pub fn at(mut self, loc: Option<Loc>) -> Value {
        self.loc = loc;
        self
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }
    /// True when the value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => true,
            Kind::List(items) => items.iter().any(Value::has_unknown),
            Kind::Map(entries) => entries.iter().any(|e| e.value.has_unknown()),
            _ => false,
        }
    }

    /// Booleans, and the strings "true"/"false" (Terraform converts; ARM add-on configs use strings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(*n),
            Kind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Scalar rendered as text (numbers without a trailing `.0`), as Terraform's tostring does.
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }

    /// First entry with this exact key.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }
    /// First entry whose key matches ignoring ASCII case (ARM property names).
    pub fn entry_ci(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }
    pub fn get_ci(&self, key: &str) -> Option<&Value> {
        self.entry_ci(key).map(|e| &e.value)
    }
    /// All entries with this exact key (repeated blocks).
    pub fn entries<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter(move |e| e.key == key)
    }

    /// The value as plain JSON, unknowns as null (for debugging and `json()` round trips).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::List(_) => "list",
            Kind::Map(_) => "object",
            Kind::Unknown(_) => "unknown",
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Lazily evaluated named values (ARM and Bicep parameters, variables, references), each
/// computed once; a name asked for while it is being computed is a cycle, and unknown.
pub struct Memo<K> {
    slots: std::cell::RefCell<std::collections::HashMap<K, Option<Value>>>,
}

impl<K> Default for Memo<K> {
    fn default() -> Memo<K> {
        Memo {
            slots: Default::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Memo<K> {
    /// The value of `key`, computed by `compute` the first time. None while it is being
    /// computed (a cycle), and when `compute` gives up (nothing is remembered then).
    pub fn resolve(&self, key: K, compute: impl FnOnce() -> Option<Value>) -> Option<Value> {
        if let Some(slot) = self.slots.borrow().get(&key) {
            return slot.clone();
        }
        self.slots.borrow_mut().insert(key.clone(), None);
        let value = compute();
        match &value {
            Some(v) => {
                self.slots.borrow_mut().insert(key, Some(v.clone()));
            }
            None => {
                self.slots.borrow_mut().remove(&key);
            }
        }
        value
    }
}
