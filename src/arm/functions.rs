//! ARM template functions whose arguments are evaluated up front. `None` means "cannot be
//! decided offline" (or would fail at deployment): the caller turns it into an unknown value
//! named by the call's source text. The functions that need lazy arguments (`if`, `and`,
//! `coalesce`, `parameters`, lambdas, ...) live in the evaluator.

use crate::source::Loc;
use crate::value::{format_number, Entry, Kind, Value};

/// Bounds `range()` and similar so a template cannot ask for a huge allocation.
pub(crate) const MAX_ITEMS: usize = 10_000;

/// `union` and `intersection` compare every element with every other: at most this many
/// elements in all.
const MAX_QUADRATIC: usize = 4_096;

/// Elements (list items, object properties) of the arguments together.
fn elements(args: &[Value]) -> usize {
    args.iter()
        .map(|a| match &a.kind {
            Kind::List(items) => items.len(),
            Kind::Map(entries) => entries.len(),
            _ => 0,
        })
        .sum()
}

/// Placeholder for the subscription of the deployment in IDs built by `resourceId()`.
pub const SUBSCRIPTION_PLACEHOLDER: &str = "{subscription().subscriptionId}";
/// Placeholder for the resource group of the deployment in IDs built by `resourceId()`.
pub const RESOURCE_GROUP_PLACEHOLDER: &str = "{resourceGroup().name}";
/// Placeholder for the management group in `managementGroupResourceId()`.
pub const MANAGEMENT_GROUP_PLACEHOLDER: &str = "{managementGroup().name}";

pub(crate) fn call(name: &str, args: Vec<Value>, loc: Option<Loc>) -> Option<Value> {
    // Functions that decide (or stay partly known) with unknown arguments.
    match name {
        "createarray" => return Some(Value::list(args, loc)),
        "createobject" => return create_object(args, loc),
        "resourceid" => return resource_id(IdScope::ResourceGroup, &args, loc),
        "subscriptionresourceid" => return resource_id(IdScope::Subscription, &args, loc),
        "tenantresourceid" => return resource_id(IdScope::Tenant, &args, loc),
        "managementgroupresourceid" => return resource_id(IdScope::ManagementGroup, &args, loc),
        "extensionresourceid" => return resource_id(IdScope::Extension, &args, loc),
        "resourcegroup" => {
            return Some(unknown_members(
                "resourceGroup()",
                &["id", "name", "location", "tags", "managedBy", "properties"],
                &[("type", "Microsoft.Resources/resourceGroups")],
                loc,
            ))
        }
        "subscription" => {
            return Some(unknown_members(
                "subscription()",
                &["id", "subscriptionId", "tenantId", "displayName", "tags"],
                &[],
                loc,
            ))
        }
        "managementgroup" => {
            return Some(unknown_members(
                "managementGroup()",
                &["id", "name", "properties"],
                &[("type", "Microsoft.Management/managementGroups")],
                loc,
            ))
        }
        "tenant" => {
            return Some(unknown_members(
                "tenant()",
                &["tenantId", "displayName", "countryCode", "domains"],
                &[],
                loc,
            ))
        }
        "deployment" => {
            return Some(unknown_members(
                "deployment()",
                &["name", "location", "properties"],
                &[],
                loc,
            ))
        }
        "environment" => {
            return Some(unknown_members(
                "environment()",
                &[
                    "name",
                    "gallery",
                    "graph",
                    "portal",
                    "graphAudience",
                    "activeDirectoryDataLake",
                    "batch",
                    "media",
                    "sqlManagement",
                    "vmImageAliasDoc",
                    "resourceManager",
                    "authentication",
                    "suffixes",
                ],
                &[],
                loc,
            ))
        }
        "deployer" => {
            return Some(unknown_members(
                "deployer()",
                &["objectId", "tenantId", "userPrincipalName"],
                &[],
                loc,
            ))
        }
        _ => {}
    }
    if args.iter().any(Value::is_unknown) {
        return None;
    }
    let text = |i: usize| args.get(i).and_then(scalar_text);
    let string = |s: String| Some(Value::string(s, loc));
    let number = |i: usize| args.get(i).and_then(number_of);
    let int = |i: usize| number(i).and_then(integer);
    let boolean = |b: bool| Some(Value::bool(b, loc));
    match name {
        "true" => boolean(true),
        "false" => boolean(false),
        "null" => Some(Value::new(Kind::Null, loc)),
        "not" => boolean(!args.first()?.as_bool()?),
        "equals" => boolean(equal(args.first()?, args.get(1)?)?),
        "less" | "lessorequals" | "greater" | "greaterorequals" => {
            let ordering = compare(args.first()?, args.get(1)?)?;
            boolean(match name {
                "less" => ordering.is_lt(),
                "lessorequals" => ordering.is_le(),
                "greater" => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
        "concat" => concat(&args, loc),
        "format" => string(format(&text(0)?, args.get(1..)?)?),
        "string" => string(display(args.first()?)?),
        "tolower" => string(text(0)?.to_lowercase()),
        "toupper" => string(text(0)?.to_uppercase()),
        "trim" => string(text(0)?.trim().to_string()),
        "replace" => {
            let (s, from, to) = (text(0)?, text(1)?, text(2)?);
            if from.is_empty() {
                return string(s);
            }
            if to.len() > from.len() {
                let grows = s.matches(from.as_str()).count() * (to.len() - from.len());
                crate::value::room_for(s.len().saturating_add(grows), 0)?;
            }
            string(s.replace(&from, &to))
        }
        "startswith" => boolean(lower(&text(0)?).starts_with(&lower(&text(1)?))),
        "endswith" => boolean(lower(&text(0)?).ends_with(&lower(&text(1)?))),
        "indexof" | "lastindexof" => {
            let (hay, needle) = (lower(&text(0)?), lower(&text(1)?));
            let found = if name == "indexof" {
                hay.find(&needle)
            } else {
                hay.rfind(&needle)
            };
            let position = found.map_or(-1.0, |byte| hay[..byte].chars().count() as f64);
            Some(Value::number(position, loc))
        }
        "substring" => {
            let s = text(0)?;
            let chars: Vec<char> = s.chars().collect();
            let start = usize::try_from(int(1).unwrap_or(0)).ok()?;
            let len = match args.get(2) {
                Some(v) => usize::try_from(integer(number_of(v)?)?).ok()?,
                None => chars.len().checked_sub(start)?,
            };
            let end = start.checked_add(len)?;
            string(chars.get(start..end)?.iter().collect())
        }
        "padleft" => {
            let s = text(0)?;
            let width = usize::try_from(int(1)?).ok()?.min(MAX_ITEMS);
            let pad = match args.get(2) {
                Some(v) => scalar_text(v)?.chars().next()?,
                None => ' ',
            };
            let missing = width.saturating_sub(s.chars().count());
            string(std::iter::repeat_n(pad, missing).chain(s.chars()).collect())
        }
        "split" => {
            let s = text(0)?;
            let delimiters: Vec<String> = match &args.get(1)?.kind {
                Kind::List(items) => items.iter().map(scalar_text).collect::<Option<_>>()?,
                _ => vec![text(1)?],
            };
            let delimiters: Vec<&str> = delimiters
                .iter()
                .map(String::as_str)
                .filter(|d| !d.is_empty())
                .collect();
            let parts = split_any(&s, &delimiters);
            Some(Value::list(
                parts.into_iter().map(|p| Value::string(p, loc)).collect(),
                loc,
            ))
        }
        "join" => {
            let items = args.first()?.as_list()?;
            let delimiter = text(1)?;
            let texts: Vec<String> = items.iter().map(display).collect::<Option<_>>()?;
            let text_bytes: usize = texts.iter().map(String::len).sum();
            let delimiters = delimiter.len().saturating_mul(texts.len());
            crate::value::room_for(text_bytes.saturating_add(delimiters), 0)?;
            string(texts.join(&delimiter))
        }
        "bool" => match &args.first()?.kind {
            Kind::Number(n) => boolean(*n != 0.0),
            _ => boolean(args.first()?.as_bool()?),
        },
        "int" => {
            let n = match &args.first()?.kind {
                Kind::Number(n) => n.trunc(),
                Kind::String(s) => s.trim().parse::<i64>().ok()? as f64,
                _ => return None,
            };
            Some(Value::number(n, loc))
        }
        "json" => {
            let parsed = crate::json::parse_detached(&text(0)?, loc)?;
            Some(parsed)
        }
        "array" => match &args.first()?.kind {
            Kind::List(_) => args.into_iter().next(),
            _ => Some(Value::list(args, loc)),
        },
        "empty" => boolean(match &args.first()?.kind {
            Kind::Null => true,
            Kind::String(s) => s.is_empty(),
            Kind::List(items) => items.is_empty(),
            Kind::Map(entries) => entries.is_empty(),
            _ => return None,
        }),
        "length" => {
            let n = match &args.first()?.kind {
                Kind::String(s) => s.chars().count(),
                Kind::List(items) => items.len(),
                Kind::Map(entries) => entries.len(),
                _ => return None,
            };
            Some(Value::number(n as f64, loc))
        }
        "first" | "last" => match &args.first()?.kind {
            Kind::String(s) => {
                let c = if name == "first" {
                    s.chars().next()
                } else {
                    s.chars().next_back()
                };
                string(c.map(String::from).unwrap_or_default())
            }
            Kind::List(items) => {
                let item = if name == "first" {
                    items.first()
                } else {
                    items.last()
                };
                Some(item.cloned().unwrap_or_else(|| Value::new(Kind::Null, loc)))
            }
            _ => None,
        },
        "take" | "skip" => {
            let n = usize::try_from(int(1)?.max(0)).ok()?;
            match &args.first()?.kind {
                Kind::String(s) => {
                    let chars = s.chars();
                    string(if name == "take" {
                        chars.take(n).collect()
                    } else {
                        chars.skip(n).collect()
                    })
                }
                Kind::List(items) => {
                    let n = n.min(items.len());
                    let part = if name == "take" {
                        &items[..n]
                    } else {
                        &items[n..]
                    };
                    Some(Value::list(part.to_vec(), loc))
                }
                _ => None,
            }
        }
        "contains" => contains(args.first()?, args.get(1)?).map(|b| Value::bool(b, loc)),
        // Quadratic: collections longer than any template has stay unknown.
        "union" | "intersection" if elements(&args) > MAX_QUADRATIC => {
            crate::value::few_enough_to_compare(elements(&args), MAX_QUADRATIC).and(None)
        }
        "union" => union(&args, loc),
        "intersection" => intersection(&args, loc),
        "shallowmerge" => {
            let mut merged: Vec<Entry> = Vec::new();
            for item in args.first()?.as_list()? {
                for entry in item.as_map()? {
                    set_entry(&mut merged, entry.clone());
                }
            }
            Some(Value::map(merged, loc))
        }
        "flatten" => {
            let mut out = Vec::new();
            for item in args.first()?.as_list()? {
                out.extend(item.as_list()?.iter().cloned());
            }
            Some(Value::list(out, loc))
        }
        "objectkeys" => Some(Value::list(
            args.first()?
                .as_map()?
                .iter()
                .map(|e| Value::string(e.key.clone(), e.key_loc.or(loc)))
                .collect(),
            loc,
        )),
        "items" => {
            let mut entries = args.first()?.as_map()?.to_vec();
            entries.sort_by_key(|e| e.key.to_ascii_lowercase());
            Some(Value::list(
                entries
                    .into_iter()
                    .map(|e| {
                        Value::map(
                            vec![
                                entry("key", Value::string(e.key, e.key_loc.or(loc)), loc),
                                entry("value", e.value, loc),
                            ],
                            loc,
                        )
                    })
                    .collect(),
                loc,
            ))
        }
        "tryget" => {
            let mut current = args.first()?.clone();
            for key in &args[1..] {
                current = match (&current.kind, &key.kind) {
                    (Kind::Null, _) => return Some(Value::new(Kind::Null, loc)),
                    (Kind::Map(_), Kind::String(k)) => match current.get_ci(k) {
                        Some(v) => v.clone(),
                        None => return Some(Value::new(Kind::Null, loc)),
                    },
                    (Kind::List(items), Kind::Number(n)) => {
                        match integer(*n).and_then(|i| usize::try_from(i).ok()) {
                            Some(i) if i < items.len() => items[i].clone(),
                            _ => return Some(Value::new(Kind::Null, loc)),
                        }
                    }
                    (Kind::Unknown(_), _) => return None,
                    _ => return None,
                };
            }
            Some(current)
        }
        "indexfromend" | "tryindexfromend" => {
            let items = args.first()?.as_list()?;
            let back = usize::try_from(int(1)?).ok()?;
            match items.len().checked_sub(back) {
                Some(i) if back >= 1 => Some(items[i].clone()),
                _ if name == "tryindexfromend" => Some(Value::new(Kind::Null, loc)),
                _ => None,
            }
        }
        "range" => {
            let start = int(0)?;
            let count = usize::try_from(int(1)?).ok()?;
            if count > MAX_ITEMS {
                return None;
            }
            Some(Value::list(
                (0..count)
                    .map(|i| Value::number((start + i as i64) as f64, loc))
                    .collect(),
                loc,
            ))
        }
        "min" | "max" => {
            let numbers: Vec<f64> = match &args.first()?.kind {
                Kind::List(items) => items.iter().map(number_of).collect::<Option<_>>()?,
                _ => args.iter().map(number_of).collect::<Option<_>>()?,
            };
            let pick = if name == "min" { f64::min } else { f64::max };
            let first = *numbers.first()?;
            Some(Value::number(numbers.into_iter().fold(first, pick), loc))
        }
        "add" | "sub" | "mul" | "div" | "mod" => {
            let (a, b) = (number(0)?, number(1)?);
            let n = match name {
                "add" => a + b,
                "sub" => a - b,
                "mul" => a * b,
                // ARM integers: division truncates toward zero, like C#.
                "div" if b != 0.0 => (a / b).trunc(),
                "mod" if b != 0.0 => a % b,
                _ => return None,
            };
            n.is_finite().then(|| Value::number(n, loc))
        }
        _ => None,
    }
}

fn entry(key: &str, value: Value, loc: Option<Loc>) -> Entry {
    Entry {
        key: key.to_string(),
        key_loc: loc,
        value,
    }
}

/// A map whose members cannot be known offline, each named by its access path.
fn unknown_members(
    call: &str,
    unknown: &[&str],
    known: &[(&str, &str)],
    loc: Option<Loc>,
) -> Value {
    let mut entries: Vec<Entry> = unknown
        .iter()
        .map(|m| entry(m, Value::unknown(format!("{call}.{m}"), loc), loc))
        .collect();
    entries.extend(
        known
            .iter()
            .map(|(k, v)| entry(k, Value::string(*v, loc), loc)),
    );
    Value::map(entries, loc)
}

fn create_object(args: Vec<Value>, loc: Option<Loc>) -> Option<Value> {
    if !args.len().is_multiple_of(2) {
        return None;
    }
    let mut entries = Vec::new();
    let mut args = args.into_iter();
    while let (Some(key), Some(value)) = (args.next(), args.next()) {
        let key = key.as_str()?.to_string();
        set_entry(&mut entries, entry(&key, value, loc));
    }
    Some(Value::map(entries, loc))
}

/// Replaces the entry with the same key (ARM keys are case-insensitive) or appends.
fn set_entry(entries: &mut Vec<Entry>, new: Entry) {
    match entries
        .iter_mut()
        .find(|e| e.key.eq_ignore_ascii_case(&new.key))
    {
        Some(existing) => *existing = new,
        None => entries.push(new),
    }
}

fn lower(s: &str) -> String {
    // ASCII-only lowering keeps byte offsets, which indexOf relies on.
    s.to_ascii_lowercase()
}

fn integer(n: f64) -> Option<i64> {
    (n.is_finite() && n.abs() < 9.0e15).then_some(n.trunc() as i64)
}

fn number_of(v: &Value) -> Option<f64> {
    match &v.kind {
        Kind::Number(n) => Some(*n),
        _ => None,
    }
}

/// Strings, numbers and booleans as ARM renders them inside strings.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match &v.kind {
        Kind::String(s) => Some(s.clone()),
        Kind::Number(n) => Some(format_number(*n)),
        // ARM runs on .NET: booleans render capitalised in concat/format/string.
        Kind::Bool(b) => Some(if *b { "True" } else { "False" }.to_string()),
        Kind::Null => Some(String::new()),
        _ => None,
    }
}

/// `string()`: scalars as text, arrays and objects as compact JSON.
pub(crate) fn display(v: &Value) -> Option<String> {
    match &v.kind {
        Kind::List(_) | Kind::Map(_) => {
            let mut out = String::new();
            write_json(v, &mut out)?;
            Some(out)
        }
        _ => scalar_text(v),
    }
}

fn write_json(v: &Value, out: &mut String) -> Option<()> {
    match &v.kind {
        Kind::Null => out.push_str("null"),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&format_number(*n)),
        Kind::String(s) => crate::json::write_string(out, s, |_| false),
        Kind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Kind::Map(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                crate::json::write_string(out, &e.key, |_| false);
                out.push(':');
                write_json(&e.value, out)?;
            }
            out.push('}');
        }
        Kind::Unknown(_) => return None,
    }
    Some(())
}

/// Structural equality, ignoring where values were written. `None` when an unknown decides.
pub(crate) fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (&a.kind, &b.kind) {
        (Kind::Unknown(_), _) | (_, Kind::Unknown(_)) => None,
        (Kind::Null, Kind::Null) => Some(true),
        (Kind::Bool(x), Kind::Bool(y)) => Some(x == y),
        (Kind::Number(x), Kind::Number(y)) => Some(x == y),
        (Kind::String(x), Kind::String(y)) => Some(x == y),
        (Kind::List(xs), Kind::List(ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            all_equal(xs.iter().zip(ys).map(|(x, y)| equal(x, y)))
        }
        (Kind::Map(xs), Kind::Map(ys)) => {
            if xs.len() != ys.len() {
                return Some(false);
            }
            all_equal(xs.iter().map(|x| match b.get_ci(&x.key) {
                Some(y) => equal(&x.value, y),
                None => Some(false),
            }))
        }
        _ => Some(false),
    }
}

/// A known difference beats an unknown comparison.
fn all_equal(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for r in results {
        match r {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (&a.kind, &b.kind) {
        (Kind::Number(x), Kind::Number(y)) => x.partial_cmp(y),
        (Kind::String(x), Kind::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn contains(container: &Value, item: &Value) -> Option<bool> {
    match &container.kind {
        Kind::String(s) => Some(s.contains(scalar_text(item)?.as_str())),
        Kind::List(items) => {
            let mut unknown = false;
            for i in items {
                match equal(i, item) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            (!unknown).then_some(false)
        }
        Kind::Map(_) => Some(container.entry_ci(&scalar_text(item)?).is_some()),
        Kind::Null => Some(false),
        _ => None,
    }
}

fn concat(args: &[Value], loc: Option<Loc>) -> Option<Value> {
    let arrays = args
        .iter()
        .find(|a| !a.is_null())
        .is_some_and(|a| a.as_list().is_some());
    if arrays {
        let mut out = Vec::new();
        for a in args {
            match &a.kind {
                Kind::List(items) => out.extend(items.iter().cloned()),
                Kind::Null => {}
                _ => return None,
            }
        }
        return Some(Value::list(out, loc));
    }
    let mut out = String::new();
    for a in args {
        out.push_str(&scalar_text(a)?);
    }
    Some(Value::string(out, loc))
}

/// .NET composite formatting: `{0}`, `{0,10}`, `{0:N0}` (alignment and format ignored),
/// `{{`/`}}` for literal braces.
fn format(template: &str, args: &[Value]) -> Option<String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '{' => {
                let mut spec = String::new();
                loop {
                    match chars.next()? {
                        '}' => break,
                        c => spec.push(c),
                    }
                }
                let index_text = spec.split([',', ':']).next().unwrap_or("").trim();
                let index: usize = index_text.parse().ok()?;
                out.push_str(&display(args.get(index)?)?);
                // `{0}{0}{0}...` repeats an argument as often as the template names it.
                crate::value::room_for(out.len(), 0)?;
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

fn split_any(s: &str, delimiters: &[&str]) -> Vec<String> {
    if delimiters.is_empty() {
        return vec![s.to_string()];
    }
    let mut parts = Vec::new();
    let mut rest = s;
    loop {
        let next = delimiters
            .iter()
            .filter_map(|d| rest.find(d).map(|at| (at, d.len())))
            .min_by_key(|&(at, _)| at);
        match next {
            Some((at, len)) => {
                parts.push(rest[..at].to_string());
                rest = &rest[at + len..];
            }
            None => {
                parts.push(rest.to_string());
                return parts;
            }
        }
    }
}

fn union(args: &[Value], loc: Option<Loc>) -> Option<Value> {
    let present: Vec<&Value> = args.iter().filter(|a| !a.is_null()).collect();
    match present.first().map(|a| &a.kind) {
        None => Some(Value::new(Kind::Null, loc)),
        Some(Kind::Map(_)) => {
            let mut merged: Vec<Entry> = Vec::new();
            for a in present {
                deep_merge(&mut merged, a.as_map()?);
            }
            Some(Value::map(merged, loc))
        }
        Some(Kind::List(_)) => {
            let mut out: Vec<Value> = Vec::new();
            for a in present {
                for item in a.as_list()? {
                    if !out.iter().any(|o| equal(o, item) == Some(true)) {
                        out.push(item.clone());
                    }
                }
            }
            Some(Value::list(out, loc))
        }
        _ => None,
    }
}

/// `union()` of objects merges nested objects too; anything else is replaced by the later
/// argument (the documented behaviour PSRule had to fix, Azure/PSRule.Rules.Azure#2885).
fn deep_merge(into: &mut Vec<Entry>, add: &[Entry]) {
    for new in add {
        match into
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&new.key))
        {
            Some(existing) => match (&mut existing.value.kind, &new.value.kind) {
                (Kind::Map(old), Kind::Map(fresh)) => deep_merge(old, fresh),
                _ => *existing = new.clone(),
            },
            None => into.push(new.clone()),
        }
    }
}

fn intersection(args: &[Value], loc: Option<Loc>) -> Option<Value> {
    let (first, rest) = args.split_first()?;
    match &first.kind {
        Kind::List(items) => {
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                let everywhere = rest.iter().all(|other| {
                    other
                        .as_list()
                        .is_some_and(|o| o.iter().any(|x| equal(x, item) == Some(true)))
                });
                if everywhere && !out.iter().any(|o| equal(o, item) == Some(true)) {
                    out.push(item.clone());
                }
            }
            Some(Value::list(out, loc))
        }
        Kind::Map(entries) => Some(Value::map(
            entries
                .iter()
                .filter(|e| {
                    rest.iter().all(|other| {
                        other
                            .get_ci(&e.key)
                            .is_some_and(|v| equal(v, &e.value) == Some(true))
                    })
                })
                .cloned()
                .collect(),
            loc,
        )),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum IdScope {
    ResourceGroup,
    Subscription,
    Tenant,
    ManagementGroup,
    Extension,
}

/// Builds resource IDs as strings so that `last(split(id, '/'))` works and IDs compare
/// textually. The subscription, resource group or management group of the deployment is
/// not known offline: it is rendered as a placeholder segment in braces
/// ([`SUBSCRIPTION_PLACEHOLDER`], [`RESOURCE_GROUP_PLACEHOLDER`]); an unknown scope given
/// as an argument renders as `{<its expression>}`. Braces cannot occur in real subscription
/// IDs or resource-group names, so any `{...}` segment means "unknown". An unknown resource
/// type or name makes the whole ID unknown.
fn resource_id(scope: IdScope, args: &[Value], loc: Option<Loc>) -> Option<Value> {
    let (base, rest) = if scope == IdScope::Extension {
        let (base, rest) = args.split_first()?;
        (base.as_str()?.trim_end_matches('/').to_string(), rest)
    } else {
        (String::new(), args)
    };
    // The type is the first argument that contains a '/'; before it come the scope segments.
    let type_at = rest
        .iter()
        .position(|a| a.as_str().is_some_and(|s| s.contains('/')))?;
    let leading = &rest[..type_at];
    let segment = |v: &Value| -> Option<String> {
        match &v.kind {
            Kind::Unknown(expr) => Some(format!("{{{expr}}}")),
            _ => scalar_text(v).filter(|s| !s.is_empty()),
        }
    };
    let prefix = match (scope, leading.len()) {
        (IdScope::ResourceGroup, 0) => {
            format!("/subscriptions/{SUBSCRIPTION_PLACEHOLDER}/resourceGroups/{RESOURCE_GROUP_PLACEHOLDER}")
        }
        (IdScope::ResourceGroup, 1) => format!(
            "/subscriptions/{SUBSCRIPTION_PLACEHOLDER}/resourceGroups/{}",
            segment(&leading[0])?
        ),
        (IdScope::ResourceGroup, 2) => format!(
            "/subscriptions/{}/resourceGroups/{}",
            segment(&leading[0])?,
            segment(&leading[1])?
        ),
        (IdScope::Subscription, 0) => format!("/subscriptions/{SUBSCRIPTION_PLACEHOLDER}"),
        (IdScope::Subscription, 1) => format!("/subscriptions/{}", segment(&leading[0])?),
        (IdScope::ManagementGroup, 0) => format!(
            "/providers/Microsoft.Management/managementGroups/{MANAGEMENT_GROUP_PLACEHOLDER}"
        ),
        (IdScope::ManagementGroup, 1) => format!(
            "/providers/Microsoft.Management/managementGroups/{}",
            segment(&leading[0])?
        ),
        (IdScope::Tenant | IdScope::Extension, 0) => base,
        _ => return None,
    };
    let resource_type = rest[type_at].as_str()?;
    let mut types = resource_type.split('/').filter(|s| !s.is_empty());
    let namespace = types.next()?;
    let mut names = Vec::new();
    for name in &rest[type_at + 1..] {
        if name.is_unknown() {
            return None;
        }
        let text = scalar_text(name)?;
        names.extend(text.split('/').map(str::to_string));
    }
    let mut id = format!("{prefix}/providers/{namespace}");
    let mut names = names.into_iter();
    for t in types {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(&names.next()?);
    }
    for extra in names {
        id.push('/');
        id.push_str(&extra);
    }
    Some(Value::string(id, loc))
}

/// Functions only the deployment can evaluate (or that read files, secrets and the
/// environment, which a linter does not): a call to one is unknown, in ARM and Bicep alike.
pub(crate) fn decided_at_deployment(lower_name: &str) -> bool {
    const NAMES: &[&str] = &[
        "uniquestring",
        "guid",
        "newguid",
        "utcnow",
        "reference",
        "pickzones",
        "datetimeadd",
        "datetimefromepoch",
        "datetimetoepoch",
        "base64",
        "base64tostring",
        "base64tojson",
        "datauri",
        "datauritostring",
        "uri",
        "uricomponent",
        "uricomponenttostring",
        "providers",
        "externalinput",
        "loadtextcontent",
        "loadjsoncontent",
        "loadyamlcontent",
        "loadfileasbase64",
        "readenvironmentvariable",
        "getsecret",
    ];
    NAMES.contains(&lower_name) || lower_name.starts_with("list")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::string(text, None)
    }
    fn n(x: f64) -> Value {
        Value::number(x, None)
    }
    fn run(name: &str, args: Vec<Value>) -> Option<Value> {
        call(name, args, None)
    }
    fn text(name: &str, args: Vec<Value>) -> String {
        run(name, args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn strings() {
        assert_eq!(
            text("format", vec![s("{0}-{1:N0}{{x}}"), s("a"), n(3.0)]),
            "a-3{x}"
        );
        assert_eq!(
            text("concat", vec![s("a"), n(1.0), Value::bool(true, None)]),
            "a1True"
        );
        assert_eq!(text("tolower", vec![s("AbC")]), "abc");
        assert_eq!(text("substring", vec![s("héllo"), n(1.0), n(3.0)]), "éll");
        assert!(run("substring", vec![s("abc"), n(2.0), n(5.0)]).is_none());
        assert!(run("substring", vec![s("abc"), n(-1.0)]).is_none());
        assert_eq!(text("replace", vec![s("a-b-c"), s("-"), s("")]), "abc");
        assert_eq!(text("padleft", vec![s("7"), n(3.0), s("0")]), "007");
        assert_eq!(
            run("indexof", vec![s("abcABC"), s("C")])
                .unwrap()
                .as_number(),
            Some(2.0)
        );
        assert_eq!(
            run("startswith", vec![s("Microsoft"), s("micro")])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(
            text("string", vec![Value::list(vec![n(1.0), s("x\"")], None)]),
            "[1,\"x\\\"\"]"
        );
        assert!(run("format", vec![s("{1}"), s("a")]).is_none());
        assert!(run("format", vec![s("{0"), s("a")]).is_none());
    }

    #[test]
    fn split_and_last() {
        let parts = run("split", vec![s("/a/b//c"), s("/")]).unwrap();
        let texts: Vec<&str> = parts
            .as_list()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(texts, ["", "a", "b", "", "c"]);
        assert_eq!(text("last", vec![parts]), "c");
        let multi = run(
            "split",
            vec![s("a,b;c"), Value::list(vec![s(","), s(";")], None)],
        )
        .unwrap();
        assert_eq!(multi.as_list().unwrap().len(), 3);
        assert_eq!(
            run("split", vec![s("abc"), s("")])
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn collections() {
        let a = Value::list(vec![n(1.0), n(2.0)], None);
        let b = Value::list(vec![n(2.0), n(3.0)], None);
        let u = run("union", vec![a.clone(), b.clone()]).unwrap();
        assert_eq!(u.as_list().unwrap().len(), 3);
        assert_eq!(
            run("intersection", vec![a.clone(), b])
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            run("length", vec![a.clone()]).unwrap().as_number(),
            Some(2.0)
        );
        assert_eq!(
            run("contains", vec![a.clone(), n(2.0)]).unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            run("empty", vec![Value::list(vec![], None)])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(
            run("take", vec![a.clone(), n(10.0)])
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            run("skip", vec![a, n(-3.0)])
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            2
        );
        assert!(run("range", vec![n(0.0), n(1e9)]).is_none());
        assert_eq!(
            run("div", vec![n(7.0), n(2.0)]).unwrap().as_number(),
            Some(3.0)
        );
        assert!(run("div", vec![n(7.0), n(0.0)]).is_none());
        assert!(run("mod", vec![n(7.0), n(0.0)]).is_none());

        let inner = |k: &str, v: Value| entry(k, v, None);
        let x = Value::map(
            vec![inner(
                "A",
                Value::map(vec![inner("one", n(1.0)), inner("two", n(2.0))], None),
            )],
            None,
        );
        let y = Value::map(
            vec![inner("a", Value::map(vec![inner("TWO", n(3.0))], None))],
            None,
        );
        let merged = run("union", vec![x, y]).unwrap();
        let a = merged.get_ci("a").unwrap();
        assert_eq!(a.get_ci("one").unwrap().as_number(), Some(1.0));
        assert_eq!(a.get_ci("two").unwrap().as_number(), Some(3.0));
        let obj = run("createobject", vec![s("k"), n(1.0)]).unwrap();
        assert_eq!(
            run("contains", vec![obj.clone(), s("K")])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(
            run("tryget", vec![obj.clone(), s("missing")]).unwrap().kind,
            Kind::Null
        );
        let items = run("items", vec![obj]).unwrap();
        assert_eq!(
            items.as_list().unwrap()[0].get("key").unwrap().as_str(),
            Some("k")
        );
    }

    #[test]
    fn unknown_propagates() {
        let u = Value::unknown("x", None);
        assert!(run("tolower", vec![u.clone()]).is_none());
        assert!(run("equals", vec![u.clone(), s("a")]).is_none());
        let list = Value::list(vec![u.clone(), s("b")], None);
        assert_eq!(run("contains", vec![list.clone(), s("x")]), None);
        assert_eq!(
            equal(&list, &Value::list(vec![s("a")], None)),
            Some(false),
            "a length difference decides"
        );
        assert!(run("createarray", vec![u]).is_some());
    }

    #[test]
    fn resource_ids() {
        let id = text(
            "resourceid",
            vec![s("Microsoft.ContainerRegistry/registries"), s("acr1")],
        );
        assert_eq!(
            id,
            "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ContainerRegistry/registries/acr1"
        );
        let id = text(
            "resourceid",
            vec![
                s("sub"),
                s("rg"),
                s("Microsoft.Network/virtualNetworks/subnets"),
                s("vnet"),
                s("pe"),
            ],
        );
        assert_eq!(
            id,
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"
        );
        let id = text(
            "resourceid",
            vec![
                Value::unknown("parameters('rg')", None),
                s("Microsoft.X/y"),
                s("n"),
            ],
        );
        assert!(id.contains("/resourceGroups/{parameters('rg')}/"), "{id}");
        assert!(run(
            "resourceid",
            vec![s("Microsoft.X/y"), Value::unknown("p", None)]
        )
        .is_none());
        assert!(run("resourceid", vec![s("no-type")]).is_none());
        assert_eq!(
            text("subscriptionresourceid", vec![s("Microsoft.Authorization/roleDefinitions"), s("7f95")]),
            "/subscriptions/{subscription().subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/7f95"
        );
        assert_eq!(
            text(
                "tenantresourceid",
                vec![s("Microsoft.Authorization/policyDefinitions"), s("p")]
            ),
            "/providers/Microsoft.Authorization/policyDefinitions/p"
        );
        assert_eq!(
            text(
                "extensionresourceid",
                vec![s("/x/y/"), s("Microsoft.Authorization/locks"), s("l")]
            ),
            "/x/y/providers/Microsoft.Authorization/locks/l"
        );
    }
}
