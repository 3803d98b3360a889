//! A model field: a value in one of three states that remembers where it came from, and
//! the reader that fills fields from an adapter's value tree using the fields table.

use super::fields::{DefaultValue, FieldSpec};
use crate::source::Loc;
use crate::value::{Kind, Origin, Value};
use std::cell::RefCell;
use std::sync::Arc;

/// An unknown field a rule asked for through [`Field::known`] (for `--unknown=warn`).
#[derive(Clone, Debug)]
pub struct UnknownRead {
    pub at: Loc,
    pub attribute: String,
    pub expr: String,
}

thread_local! {
    static UNKNOWN_READS: RefCell<Option<Vec<UnknownRead>>> = const { RefCell::new(None) };
}

/// Runs `f` (one rule's check) and returns the unknown fields it read through
/// [`Field::known`]: the one place where "a rule could not decide" is visible.
pub fn tracking_unknown_reads<R>(f: impl FnOnce() -> R) -> (R, Vec<UnknownRead>) {
    let outer = UNKNOWN_READS.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let reads = UNKNOWN_READS.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
    (result, reads.unwrap_or_default())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Written in the source (a literal or a resolved expression).
    Set,
    /// Absent: the provider/API default applies; `at` is the closest enclosing block.
    Default,
    /// An expression that cannot be resolved offline. Rules never fire on it.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Field<T> {
    pub state: State,
    pub value: Option<T>,
    /// The attribute when set (or unknown), the closest enclosing block when defaulted.
    pub at: Loc,
    /// How the value reached the attribute (a variable default, a module argument, ...);
    /// None for a literal written there and for absent attributes.
    pub origin: Option<Arc<Origin>>,
    /// Where the value alone is written, when that is not after the attribute's key: a
    /// variable or parameter carried it from elsewhere, or `at` is the value itself (a
    /// finding in a module reported at the argument of its call).
    pub written: Option<Loc>,
    /// The attribute as written in this format (`local_account_disabled`,
    /// `disableLocalAccounts`); for an absent one, its path (`network_profile.network_policy`).
    pub attribute: &'static str,
    /// Why the default is what it is (shown with findings on absent attributes).
    pub default_source: &'static str,
    /// The unresolved expression, for `--unknown=warn`.
    pub unknown_expr: Option<String>,
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match self.state {
            State::Unknown => {
                UNKNOWN_READS.with(|r| {
                    if let Some(reads) = r.borrow_mut().as_mut() {
                        reads.push(UnknownRead {
                            at: self.at,
                            attribute: self.attribute.to_string(),
                            expr: self.unknown_expr.clone().unwrap_or_default(),
                        });
                    }
                });
                None
            }
            _ => self.value.as_ref(),
        }
    }
    pub fn is_set(&self) -> bool {
        self.state == State::Set
    }
    pub fn is_default(&self) -> bool {
        self.state == State::Default
    }
    pub fn is_unknown(&self) -> bool {
        self.state == State::Unknown
    }
    /// Where the value is written and how it got here, when that is not the attribute.
    pub fn written_elsewhere(&self) -> Option<(Loc, &Origin)> {
        let written = self.written.filter(|w| *w != self.at)?;
        Some((written, self.origin.as_deref()?))
    }
}

/// The result of following a property path.
pub enum Lookup<'a> {
    Found {
        at: Loc,
        value: &'a Value,
        attribute: &'static str,
    },
    Absent {
        anchor: Loc,
    },
    Unknown {
        at: Loc,
        expr: String,
    },
}

/// Reads fields from one resource (or one inline node pool) value tree.
pub struct Reader<'a> {
    pub root: &'a Value,
    /// Anchor for absent attributes directly under the root.
    pub header: Loc,
    /// ARM semantics: case-insensitive property names and the ARM column of the fields table.
    pub arm: bool,
}

impl<'a> Reader<'a> {
    pub fn lookup(&self, path: &'static str) -> Lookup<'a> {
        let mut current = self.root;
        let mut anchor = self.header;
        let mut segments = segments(path).peekable();
        while let Some(segment) = segments.next() {
            let current_value = match &current.kind {
                // Attribute-style lists of objects (`block = [{...}]`): the first element.
                Kind::List(items) => match items.first() {
                    Some(first) => first,
                    None => return Lookup::Absent { anchor },
                },
                _ => current,
            };
            if let Kind::Unknown(expr) = &current_value.kind {
                return Lookup::Unknown {
                    at: current_value.loc.unwrap_or(anchor),
                    expr: expr.clone(),
                };
            }
            let entry = if self.arm {
                current_value.entry_ci(segment)
            } else {
                current_value.entry(segment)
            };
            let Some(entry) = entry else {
                return Lookup::Absent { anchor };
            };
            let at = entry.key_loc.or(entry.value.loc).unwrap_or(anchor);
            if segments.peek().is_none() {
                return match &entry.value.kind {
                    Kind::Null => Lookup::Absent { anchor },
                    Kind::Unknown(expr) => Lookup::Unknown {
                        at,
                        expr: expr.clone(),
                    },
                    _ => Lookup::Found {
                        at,
                        value: &entry.value,
                        attribute: last_segment(path),
                    },
                };
            }
            if entry.value.is_null() {
                return Lookup::Absent { anchor };
            }
            // ARM's `properties` wrapper is not a place a reader would look for a finding.
            if !segment.eq_ignore_ascii_case("properties") {
                anchor = at;
            }
            current = &entry.value;
        }
        Lookup::Absent { anchor }
    }

    /// The first of several alternative paths (old and new attribute names) that is present.
    pub fn lookup_any(&self, paths: &[&'static str]) -> Lookup<'a> {
        let mut first_absent = None;
        for path in paths {
            match self.lookup(path) {
                Lookup::Absent { anchor } => {
                    first_absent.get_or_insert(anchor);
                }
                found => return found,
            }
        }
        Lookup::Absent {
            anchor: first_absent.unwrap_or(self.header),
        }
    }

    fn field<T>(
        &self,
        spec: &FieldSpec,
        major: Option<u8>,
        convert: impl Fn(&Value) -> Option<T>,
        default: impl Fn(&DefaultValue) -> Option<T>,
    ) -> Field<T> {
        let paths = spec.paths(self.arm);
        let absent_name = spec.absent_name(self.arm, major);
        let dflt = spec.default_for(self.arm, major);
        match self.lookup_any(paths) {
            Lookup::Found {
                at,
                value,
                attribute,
            } => match convert(value) {
                Some(v) => Field {
                    state: State::Set,
                    value: Some(v),
                    at,
                    origin: value.origin.clone(),
                    written: written_apart(value, at),
                    attribute,
                    default_source: spec.source_for(self.arm),
                    unknown_expr: None,
                },
                None => Field {
                    state: State::Unknown,
                    value: None,
                    at,
                    origin: value.origin.clone(),
                    written: written_apart(value, at),
                    attribute,
                    default_source: spec.source_for(self.arm),
                    unknown_expr: Some(format!("{} ({})", attribute, value.type_name())),
                },
            },
            Lookup::Absent { anchor } => Field {
                state: State::Default,
                value: default(&dflt),
                at: anchor,
                origin: None,
                written: None,
                attribute: absent_name,
                default_source: spec.source_for(self.arm),
                unknown_expr: None,
            },
            Lookup::Unknown { at, expr } => Field {
                state: State::Unknown,
                value: None,
                at,
                origin: None,
                written: None,
                attribute: absent_name,
                default_source: spec.source_for(self.arm),
                unknown_expr: Some(expr),
            },
        }
    }

    pub fn bool(&self, spec: &FieldSpec, major: Option<u8>) -> Field<bool> {
        self.field(spec, major, Value::as_bool, |d| match d {
            DefaultValue::Bool(b) => Some(*b),
            _ => None,
        })
    }

    pub fn string(&self, spec: &FieldSpec, major: Option<u8>) -> Field<String> {
        self.field(spec, major, Value::to_text, |d| match d {
            DefaultValue::Str(s) => Some(s.to_string()),
            _ => None,
        })
    }

    pub fn list(&self, spec: &FieldSpec, major: Option<u8>) -> Field<Vec<Value>> {
        self.field(
            spec,
            major,
            |v| v.as_list().map(<[Value]>::to_vec),
            |d| match d {
                DefaultValue::EmptyList => Some(Vec::new()),
                _ => None,
            },
        )
    }

    /// A map of scalars (`node_labels`), each value as text; unknown when any value is.
    pub fn string_map(&self, spec: &FieldSpec, major: Option<u8>) -> Field<Vec<(String, String)>> {
        self.field(
            spec,
            major,
            |v| {
                v.as_map()?
                    .iter()
                    .map(|e| Some((e.key.clone(), e.value.to_text()?)))
                    .collect()
            },
            |d| match d {
                DefaultValue::EmptyMap => Some(Vec::new()),
                _ => None,
            },
        )
    }

    /// A block whose presence enables a feature (`microsoft_defender { ... }`).
    pub fn presence(&self, spec: &FieldSpec, major: Option<u8>) -> Field<bool> {
        self.field(
            spec,
            major,
            |v| match &v.kind {
                Kind::Map(_) => Some(true),
                Kind::List(items) => Some(!items.is_empty()),
                _ => None,
            },
            |_| Some(false),
        )
    }
}

/// `path.split('.')`, by a plain byte scan: field paths are short, and lowering reads tens
/// of thousands of them, where `split`'s searcher costs more to set up than it saves.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == b'.') {
            Some(dot) => {
                rest = Some(&current[dot + 1..]);
                Some(&current[..dot])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn last_segment(path: &'static str) -> &'static str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Where a value that travelled (it has an origin) is written, when outside `at` or `at`
/// itself (the attribute was reported at the value).
fn written_apart(value: &Value, at: Loc) -> Option<Loc> {
    let loc = value.loc?;
    value.origin.as_ref()?;
    let outside = loc.file != at.file || loc.start < at.start || loc.end > at.end;
    (outside || loc == at).then_some(loc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_those_of_split_by_dot() {
        for path in [
            "",
            "a",
            "a.b",
            "network_profile.network_policy",
            "a..b",
            ".a",
            "a.",
            ".",
        ] {
            let ours: Vec<&str> = super::segments(path).collect();
            let split: Vec<&str> = path.split('.').collect();
            assert_eq!(ours, split, "{path:?}");
        }
    }
}
