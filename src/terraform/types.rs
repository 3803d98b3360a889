//! Variable type constraints, as far as they change values: `optional(type, default)`
//! attributes of `object(...)` types (at any depth, inside `map`, `list`, `set` and
//! `tuple`) fill in what the caller left out, as Terraform does before any use.

use super::eval::{Evaluator, Scope};
use crate::value::{Entry, Kind, Value};
use hcl_edit::expr::{Expression, ObjectKey};

pub enum Type<'e> {
    /// string, number, bool, any, or a type we do not model.
    Other,
    Object(Vec<Attribute<'e>>),
    /// map(T), list(T), set(T): every element.
    Each(Box<Type<'e>>),
    Tuple(Vec<Type<'e>>),
}

pub struct Attribute<'e> {
    name: String,
    ty: Type<'e>,
    optional: bool,
    default: Option<&'e Expression>,
}

impl<'e> Type<'e> {
    pub fn parse(expr: &'e Expression) -> Type<'e> {
        let Expression::FuncCall(call) = expr else {
            return Type::Other;
        };
        let args: Vec<&Expression> = call.args.iter().collect();
        match (call.name.name.as_str(), args.as_slice()) {
            ("object", [Expression::Object(object)]) => Type::Object(
                object
                    .iter()
                    .filter_map(|(key, value)| {
                        let name = match key {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(e) => e.as_str()?.to_string(),
                        };
                        Some(Attribute::parse(name, value.expr()))
                    })
                    .collect(),
            ),
            ("map" | "list" | "set", [inner]) => Type::Each(Box::new(Type::parse(inner))),
            ("tuple", [Expression::Array(items)]) => {
                Type::Tuple(items.iter().map(Type::parse).collect())
            }
            _ => Type::Other,
        }
    }

    /// Does applying this type change anything (any optional attribute inside)?
    pub fn has_optional(&self) -> bool {
        match self {
            Type::Other => false,
            Type::Object(attrs) => attrs.iter().any(|a| a.optional || a.ty.has_optional()),
            Type::Each(inner) => inner.has_optional(),
            Type::Tuple(items) => items.iter().any(Type::has_optional),
        }
    }

    /// `value` with the optional attributes it lacks (or holds as null) set to their
    /// defaults, or null when they have none.
    pub fn apply(&self, value: Value, ev: &mut Evaluator) -> Value {
        match (self, value.kind) {
            (Type::Object(attrs), Kind::Map(mut entries)) => {
                for attr in attrs {
                    match entries.iter_mut().find(|e| e.key == attr.name) {
                        Some(entry) => {
                            if entry.value.is_null() && attr.optional {
                                if let Some(default) = attr.default {
                                    entry.value = ev.eval(default, &Scope::default());
                                }
                            }
                            let inner = std::mem::replace(&mut entry.value, Value::null());
                            entry.value = attr.ty.apply(inner, ev);
                        }
                        None if attr.optional => {
                            let filled = match attr.default {
                                Some(default) => {
                                    let v = ev.eval(default, &Scope::default());
                                    attr.ty.apply(v, ev)
                                }
                                None => Value::null(),
                            };
                            entries.push(Entry {
                                key: attr.name.clone(),
                                key_loc: None,
                                value: filled,
                            });
                        }
                        None => {}
                    }
                }
                Value {
                    kind: Kind::Map(entries),
                    ..value
                }
            }
            (Type::Each(inner), Kind::List(items)) => Value {
                kind: Kind::List(items.into_iter().map(|v| inner.apply(v, ev)).collect()),
                ..value
            },
            (Type::Each(inner), Kind::Map(entries)) => Value {
                kind: Kind::Map(
                    entries
                        .into_iter()
                        .map(|e| Entry {
                            value: inner.apply(e.value, ev),
                            ..e
                        })
                        .collect(),
                ),
                ..value
            },
            (Type::Tuple(types), Kind::List(items)) => Value {
                kind: Kind::List(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| match types.get(i) {
                            Some(t) => t.apply(v, ev),
                            None => v,
                        })
                        .collect(),
                ),
                ..value
            },
            (_, kind) => Value { kind, ..value },
        }
    }
}

impl<'e> Attribute<'e> {
    fn parse(name: String, expr: &'e Expression) -> Attribute<'e> {
        if let Expression::FuncCall(call) = expr {
            if call.name.name.as_str() == "optional" {
                let args: Vec<&Expression> = call.args.iter().collect();
                return Attribute {
                    name,
                    ty: args.first().map(|t| Type::parse(t)).unwrap_or(Type::Other),
                    optional: true,
                    default: args.get(1).copied(),
                };
            }
        }
        Attribute {
            name,
            ty: Type::parse(expr),
            optional: false,
            default: None,
        }
    }
}
