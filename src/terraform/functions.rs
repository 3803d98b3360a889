//! The Terraform built-in functions that landing-zone code uses for security settings.
//! `None` means "cannot be decided offline": the caller turns it into an unknown value.

use super::eval::{error_value, is_error, iterate, same_value};
use crate::source::Loc;
use crate::value::{format_number, Entry, Kind, Value};

/// Functions that compare every element with every other take lists at most this long.
const MAX_QUADRATIC: usize = 2_000;

pub fn call(name: &str, args: Vec<Value>, loc: Option<Loc>) -> Option<Value> {
    // Functions that decide with some unknown arguments.
    match name {
        "coalesce" => {
            for a in &args {
                if a.is_unknown() {
                    return None;
                }
                if !a.is_null() && a.as_str() != Some("") {
                    return Some(a.clone());
                }
            }
            return Some(error_value(loc));
        }
        "lookup" => {
            let map = args.first()?;
            let key = args.get(1)?.to_text()?;
            if map.is_unknown() {
                return None;
            }
            return match map.get(&key) {
                Some(v) => Some(v.clone()),
                None => match args.get(2) {
                    Some(default) => Some(default.clone()),
                    None => Some(error_value(loc)),
                },
            };
        }
        _ => {}
    }
    if args.iter().any(|a| a.is_unknown() && !is_error(a)) {
        return None;
    }
    if args.iter().any(is_error) {
        return Some(error_value(loc));
    }
    let text = |i: usize| args.get(i).and_then(Value::to_text);
    let string = |s: String| Some(Value::string(s, loc));
    match name {
        "lower" => string(text(0)?.to_lowercase()),
        "upper" => string(text(0)?.to_uppercase()),
        "title" => string(
            text(0)?
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "trimspace" => string(text(0)?.trim().to_string()),
        "trim" => {
            let chars: Vec<char> = text(1)?.chars().collect();
            string(text(0)?.trim_matches(|c| chars.contains(&c)).to_string())
        }
        "trimprefix" => {
            let s = text(0)?;
            let p = text(1)?;
            string(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string())
        }
        "trimsuffix" => {
            let s = text(0)?;
            let p = text(1)?;
            string(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string())
        }
        "startswith" => Some(Value::bool(text(0)?.starts_with(&text(1)?), loc)),
        "endswith" => Some(Value::bool(text(0)?.ends_with(&text(1)?), loc)),
        "replace" => {
            let (s, from, to) = (text(0)?, text(1)?, text(2)?);
            // Regex replacements (`/.../`) are not emulated.
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                return None;
            }
            if !from.is_empty() && to.len() > from.len() {
                let grows = s.matches(from.as_str()).count() * (to.len() - from.len());
                crate::value::room_for(s.len().saturating_add(grows), 0)?;
            }
            string(s.replace(&from, &to))
        }
        "substr" => {
            let s: Vec<char> = text(0)?.chars().collect();
            let offset = args.get(1)?.as_number()? as i64;
            let length = args.get(2)?.as_number()? as i64;
            let start = if offset < 0 {
                (s.len() as i64 + offset).max(0)
            } else {
                offset.min(s.len() as i64)
            } as usize;
            let end = if length < 0 {
                s.len()
            } else {
                (start + length as usize).min(s.len())
            };
            string(s[start..end].iter().collect())
        }
        "format" => format(&args, loc),
        "join" => {
            let sep = text(0)?;
            let mut parts = Vec::new();
            for list in &args[1..] {
                for item in list.as_list()? {
                    parts.push(item.to_text()?);
                }
            }
            let text_bytes: usize = parts.iter().map(String::len).sum();
            let separators = sep.len().saturating_mul(parts.len());
            crate::value::room_for(text_bytes.saturating_add(separators), 0)?;
            string(parts.join(&sep))
        }
        "split" => {
            let (sep, s) = (text(0)?, text(1)?);
            let parts = if s.is_empty() {
                Vec::new()
            } else {
                s.split(sep.as_str())
                    .map(|p| Value::string(p, loc))
                    .collect()
            };
            Some(Value::list(parts, loc))
        }
        "tostring" => match &args.first()?.kind {
            Kind::Null => Some(Value::null()),
            _ => string(text(0)?),
        },
        "tonumber" => match &args.first()?.kind {
            Kind::Null => Some(Value::null()),
            _ => Some(Value::number(args[0].as_number()?, loc)),
        },
        "tobool" => match &args.first()?.kind {
            Kind::Null => Some(Value::null()),
            _ => Some(Value::bool(args[0].as_bool()?, loc)),
        },
        "tolist" | "toset" => {
            let items = args.first()?.as_list()?.to_vec();
            let items = if name == "toset" {
                distinct(items)?
            } else {
                items
            };
            Some(Value::list(items, args[0].loc))
        }
        "tomap" => args.first()?.as_map().map(|_| args[0].clone()),
        "length" => Some(Value::number(
            match &args.first()?.kind {
                Kind::List(items) => items.len(),
                Kind::Map(entries) => entries.len(),
                Kind::String(s) => s.chars().count(),
                _ => return None,
            } as f64,
            loc,
        )),
        "contains" => {
            let list = args.first()?.as_list()?;
            let needle = args.get(1)?;
            Some(Value::bool(list.iter().any(|v| same_value(v, needle)), loc))
        }
        "concat" => {
            let mut out = Vec::new();
            for a in &args {
                out.extend(a.as_list()?.iter().cloned());
            }
            Some(Value::list(out, loc))
        }
        "distinct" => Some(Value::list(
            distinct(args.first()?.as_list()?.to_vec())?,
            loc,
        )),
        "flatten" => {
            fn flat(v: &Value, out: &mut Vec<Value>) {
                match &v.kind {
                    Kind::List(items) => items.iter().for_each(|i| flat(i, out)),
                    _ => out.push(v.clone()),
                }
            }
            let mut out = Vec::new();
            flat(args.first()?, &mut out);
            Some(Value::list(out, loc))
        }
        "compact" => Some(Value::list(
            args.first()?
                .as_list()?
                .iter()
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .collect(),
            loc,
        )),
        "element" => {
            let list = args.first()?.as_list()?;
            if list.is_empty() {
                return Some(error_value(loc));
            }
            let i = args.get(1)?.as_number()? as usize;
            Some(list[i % list.len()].clone())
        }
        "index" => {
            let list = args.first()?.as_list()?;
            let needle = args.get(1)?;
            let i = list.iter().position(|v| same_value(v, needle))?;
            Some(Value::number(i as f64, loc))
        }
        "keys" => Some(Value::list(
            args.first()?
                .as_map()?
                .iter()
                .map(|e| Value::string(e.key.clone(), e.key_loc))
                .collect(),
            loc,
        )),
        "values" => Some(Value::list(
            args.first()?
                .as_map()?
                .iter()
                .map(|e| e.value.clone())
                .collect(),
            loc,
        )),
        "merge" => {
            let mut entries: Vec<Entry> = Vec::new();
            for a in &args {
                if a.is_null() {
                    continue;
                }
                for e in a.as_map()? {
                    entries.retain(|x| x.key != e.key);
                    entries.push(e.clone());
                }
            }
            Some(Value::map(entries, loc))
        }
        "zipmap" => {
            let keys = args.first()?.as_list()?;
            let values = args.get(1)?.as_list()?;
            let mut entries = Vec::new();
            for (k, v) in keys.iter().zip(values) {
                entries.push(Entry {
                    key: k.to_text()?,
                    key_loc: None,
                    value: v.clone(),
                });
            }
            Some(Value::map(entries, loc))
        }
        "coalescelist" => args
            .iter()
            .find(|a| a.as_list().is_some_and(|l| !l.is_empty()))
            .cloned()
            .or_else(|| Some(error_value(loc))),
        "one" => {
            let list = args.first()?.as_list()?;
            match list.len() {
                0 => Some(Value::null()),
                1 => Some(list[0].clone()),
                _ => Some(error_value(loc)),
            }
        }
        "min" | "max" => {
            let nums: Option<Vec<f64>> = args.iter().map(Value::as_number).collect();
            let nums = nums?;
            let pick = if name == "min" {
                nums.iter().cloned().fold(f64::INFINITY, f64::min)
            } else {
                nums.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            };
            Some(Value::number(pick, loc))
        }
        "abs" => Some(Value::number(args.first()?.as_number()?.abs(), loc)),
        "floor" => Some(Value::number(args.first()?.as_number()?.floor(), loc)),
        "ceil" => Some(Value::number(args.first()?.as_number()?.ceil(), loc)),
        "range" => {
            let nums: Option<Vec<f64>> = args.iter().map(Value::as_number).collect();
            let nums = nums?;
            let (start, end, step) = match nums.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, 1.0),
                [start, end, step] => (*start, *end, *step),
                _ => return None,
            };
            if step == 0.0 || ((end - start) / step) > 10_000.0 {
                return None;
            }
            let mut out = Vec::new();
            let mut x = start;
            while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                // A step lost to rounding (`range(1e17, 1e17 + 9)`) never reaches `end`.
                if out.len() > 10_000 {
                    return None;
                }
                out.push(Value::number(x, loc));
                x += step;
            }
            Some(Value::list(out, loc))
        }
        "slice" => {
            let list = args.first()?.as_list()?;
            let a = args.get(1)?.as_number()? as usize;
            let b = args.get(2)?.as_number()? as usize;
            list.get(a..b).map(|s| Value::list(s.to_vec(), loc))
        }
        "reverse" => {
            let mut list = args.first()?.as_list()?.to_vec();
            list.reverse();
            Some(Value::list(list, loc))
        }
        "sort" => {
            let mut texts: Vec<String> = args
                .first()?
                .as_list()?
                .iter()
                .map(Value::to_text)
                .collect::<Option<_>>()?;
            texts.sort();
            Some(Value::list(
                texts.into_iter().map(|t| Value::string(t, loc)).collect(),
                loc,
            ))
        }
        "alltrue" => Some(Value::bool(
            args.first()?
                .as_list()?
                .iter()
                .map(Value::as_bool)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .all(|b| b),
            loc,
        )),
        "anytrue" => Some(Value::bool(
            args.first()?
                .as_list()?
                .iter()
                .map(Value::as_bool)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .any(|b| b),
            loc,
        )),
        "setunion" => {
            let mut out = Vec::new();
            for a in &args {
                out.extend(a.as_list()?.iter().cloned());
            }
            Some(Value::list(distinct(out)?, loc))
        }
        "setintersection" => {
            let first = args.first()?.as_list()?;
            let rest: Vec<&[Value]> = args[1..]
                .iter()
                .map(|a| a.as_list())
                .collect::<Option<_>>()?;
            let others: usize = rest.iter().map(|r| r.len()).sum();
            if first.len().saturating_mul(others) > MAX_QUADRATIC * MAX_QUADRATIC {
                let elements = first.len().saturating_add(others);
                return crate::value::few_enough_to_compare(elements, MAX_QUADRATIC).and(None);
            }
            let out = first
                .iter()
                .filter(|v| rest.iter().all(|r| r.iter().any(|x| same_value(x, v))))
                .cloned()
                .collect();
            Some(Value::list(out, loc))
        }
        "strcontains" => Some(Value::bool(text(0)?.contains(&text(1)?), loc)),
        "strrev" => string(text(0)?.chars().rev().collect()),
        "chomp" => string(text(0)?.trim_end_matches(['\n', '\r']).to_string()),
        "basename" => string(
            text(0)?
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        "dirname" => {
            let s = text(0)?;
            let trimmed = s.trim_end_matches('/');
            string(match trimmed.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => trimmed[..i].to_string(),
                None => ".".to_string(),
            })
        }
        "sensitive" | "nonsensitive" => args.into_iter().next(),
        "sum" => {
            let items = args.first()?.as_list()?;
            if items.is_empty() {
                return Some(error_value(loc));
            }
            let mut total = 0.0;
            for item in items {
                total += item.as_number()?;
            }
            Some(Value::number(total, loc))
        }
        "pow" => Some(Value::number(
            args.first()?.as_number()?.powf(args.get(1)?.as_number()?),
            loc,
        )),
        "signum" => Some(Value::number(args.first()?.as_number()?.signum(), loc)),
        "parseint" => {
            let radix = args.get(1)?.as_number()? as u32;
            if !(2..=36).contains(&radix) {
                return Some(error_value(loc));
            }
            match i64::from_str_radix(&text(0)?, radix) {
                Ok(n) => Some(Value::number(n as f64, loc)),
                Err(_) => Some(error_value(loc)),
            }
        }
        "jsonencode" => {
            let json = to_json(args.first()?)?;
            string(serde_json::to_string(&json).ok()?)
        }
        "jsondecode" => match serde_json::from_str::<serde_json::Value>(&text(0)?) {
            Ok(json) => Some(from_json(&json, loc)),
            Err(_) => Some(error_value(loc)),
        },
        "base64encode" => string(base64_encode(text(0)?.as_bytes())),
        "base64decode" => match base64_decode(&text(0)?).and_then(|b| String::from_utf8(b).ok()) {
            Some(s) => string(s),
            None => Some(error_value(loc)),
        },
        _ => None,
    }
}

/// A known value as JSON (None when anything inside is unknown).
fn to_json(value: &Value) -> Option<serde_json::Value> {
    Some(match &value.kind {
        Kind::Null => serde_json::Value::Null,
        Kind::Bool(b) => serde_json::Value::Bool(*b),
        Kind::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
            serde_json::Value::Number((*n as i64).into())
        }
        Kind::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Kind::String(s) => serde_json::Value::String(s.clone()),
        Kind::List(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?)
        }
        Kind::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| Some((e.key.clone(), to_json(&e.value)?)))
                .collect::<Option<_>>()?,
        ),
        Kind::Unknown(_) => return None,
    })
}

fn from_json(json: &serde_json::Value, loc: Option<Loc>) -> Value {
    match json {
        serde_json::Value::Null => Value::new(Kind::Null, loc),
        serde_json::Value::Bool(b) => Value::bool(*b, loc),
        serde_json::Value::Number(n) => Value::number(n.as_f64().unwrap_or(0.0), loc),
        serde_json::Value::String(s) => Value::string(s.clone(), loc),
        serde_json::Value::Array(items) => {
            Value::list(items.iter().map(|i| from_json(i, loc)).collect(), loc)
        }
        serde_json::Value::Object(map) => Value::map(
            map.iter()
                .map(|(k, v)| Entry {
                    key: k.clone(),
                    key_loc: None,
                    value: from_json(v, loc),
                })
                .collect(),
            loc,
        ),
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .trim_end_matches('=')
        .bytes()
        .map(|c| BASE64.iter().position(|&b| b == c).map(|p| p as u8))
        .collect::<Option<_>>()?;
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= u32::from(*d) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// Quadratic: a list longer than any configuration has stays unknown.
fn distinct(items: Vec<Value>) -> Option<Vec<Value>> {
    crate::value::few_enough_to_compare(items.len(), MAX_QUADRATIC)?;
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.iter().any(|x| same_value(x, &item)) {
            out.push(item);
        }
    }
    Some(out)
}

/// `format` with the verbs landing-zone code uses: %s %d %v %q %t %%.
fn format(args: &[Value], loc: Option<Loc>) -> Option<Value> {
    let spec = args.first()?.to_text()?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Skip flags and width such as `%03d` or `%-5s`.
        let mut verb = chars.next()?;
        while verb.is_ascii_digit() || verb == '-' || verb == '.' || verb == '+' || verb == '#' {
            verb = chars.next()?;
        }
        match verb {
            '%' => out.push('%'),
            's' | 'v' | 't' => {
                out.push_str(&args.get(next)?.to_text()?);
                next += 1;
            }
            'd' => {
                out.push_str(&format_number(args.get(next)?.as_number()?.trunc()));
                next += 1;
            }
            'q' => {
                out.push_str(&format!("{:?}", args.get(next)?.to_text()?));
                next += 1;
            }
            _ => return None,
        }
    }
    Some(Value::string(out, loc))
}

/// Used by `for_each` over sets of strings and maps alike.
pub fn for_each_pairs(collection: &Value) -> Option<Vec<(Value, Value)>> {
    match &collection.kind {
        // A set of strings: each.key and each.value are both the element.
        Kind::List(items) => items
            .iter()
            .map(|v| v.to_text().map(|t| (Value::string(t, v.loc), v.clone())))
            .collect(),
        _ => iterate(collection),
    }
}
