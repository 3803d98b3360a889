//! HCL as Terraform reads it: an object constructor may repeat a key (`{ a = 1, a = 2 }`),
//! and the later one wins (hclsyntax builds the object in a map). hcl-edit rejects the
//! repetition, so each later key is renamed, in a copy of the text, to an identifier of the
//! same byte length (every span stays valid for the original text) and the key as written
//! is remembered by its offset; the evaluator reads that key back and lets the later entry
//! replace the earlier one.

use hcl_edit::structure::Body;
use std::collections::HashMap;

/// Original key text (as written in the file) by the byte offset where the key starts.
pub type RenamedKeys = HashMap<usize, String>;

/// How many bytes a file may be re-parsed in total while renaming repeated keys: a real
/// file repeats a few keys, a hostile one must not make parsing quadratic.
const REPARSE_BUDGET: usize = 64 << 20;

pub fn parse_body(text: &str) -> Result<(Body, RenamedKeys), hcl_edit::parser::Error> {
    let mut renamed = RenamedKeys::new();
    let mut patched: Option<String> = None;
    // Per renamed offset, how many markers were tried there (a marker can itself collide
    // with a key of the same object).
    let mut tries: HashMap<usize, usize> = HashMap::new();
    let mut spent = 0usize;
    loop {
        let current = patched.as_deref().unwrap_or(text);
        let error = match hcl_edit::parser::parse_body(current) {
            Ok(body) => return Ok((body, renamed)),
            Err(error) => error,
        };
        spent += text.len();
        if !error.message().contains("redefined object key") || spent > REPARSE_BUDGET {
            return Err(error);
        }
        let at = error.location().offset();
        let Some(len) = key_len(text, at) else {
            return Err(error);
        };
        let attempt = tries.entry(at).or_insert(0);
        let Some(name) = marker(len, *attempt) else {
            return Err(error);
        };
        *attempt += 1;
        let copy = patched.get_or_insert_with(|| text.to_string());
        copy.replace_range(at..at + len, &name);
        renamed.insert(at, text[at..at + len].to_string());
    }
}

/// The key as Terraform reads it from its text as written: an identifier (or a bare
/// literal such as `true` or `1`) is its own name; anything else is an expression.
pub fn literal_key(original: &str) -> Option<&str> {
    original
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .then_some(original)
}

/// The `attempt`-th identifier of exactly `len` bytes used in place of a repeated key.
fn marker(len: usize, attempt: usize) -> Option<String> {
    const FIRST: &[u8] = b"_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if len == 0 {
        return None;
    }
    if len == 1 {
        return FIRST.get(attempt).map(|&c| (c as char).to_string());
    }
    // `_` then `attempt` in base 36, padded with `_` on the left.
    let mut digits = Vec::new();
    let mut n = attempt;
    loop {
        digits.push(REST[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    if digits.len() > len - 1 {
        return None;
    }
    let mut out = vec![b'_'; len - digits.len()];
    out.extend(digits.iter().rev());
    String::from_utf8(out).ok()
}

/// The byte length of the object key that starts at `at`: an identifier or bare literal,
/// a quoted string (templates included) or a parenthesized expression.
fn key_len(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let first = rest.chars().next()?;
    let end = match first {
        '"' => string_end(rest.as_bytes(), 0)?,
        '(' => group_end(rest.as_bytes(), 0, b'(', b')')?,
        c if c.is_alphanumeric() || c == '_' => rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .unwrap_or(rest.len()),
        _ => return None,
    };
    (end > 0).then_some(end)
}

/// The end (exclusive) of the quoted string opening at `start`, skipping escapes and
/// `${ }` / `%{ }` sequences; None when the line ends first.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            b'\n' => return None,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                i = group_end(bytes, i + 1, b'{', b'}')?;
            }
            _ => i += 1,
        }
    }
    None
}

/// The end (exclusive) of the bracketed group opening at `start`, with strings inside.
fn group_end(bytes: &[u8], start: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i)?;
                continue;
            }
            b if b == open => depth += 1,
            b if b == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_renamed_in_place_and_remembered() {
        let text = "x = { a = 1, a = 2, \"b c\" = 3, \"b c\" = 4 }\n";
        let (_, renamed) = parse_body(text).expect("parses");
        let mut keys: Vec<_> = renamed.into_iter().collect();
        keys.sort();
        assert_eq!(
            keys,
            vec![(13, "a".to_string()), (31, "\"b c\"".to_string())]
        );
    }

    #[test]
    fn a_marker_that_collides_with_a_key_is_replaced_by_the_next() {
        // `_` is the first one-byte marker, and the object already has it.
        let text = "x = { _ = 0, a = 1, a = 2 }\n";
        assert!(parse_body(text).is_ok());
    }

    #[test]
    fn other_syntax_errors_stay_errors() {
        assert!(parse_body("x = { a = }\n").is_err());
        // A repeated attribute of a block is an error in Terraform too.
        assert!(parse_body("a = 1\na = 2\n").is_err());
    }

    #[test]
    fn markers_have_the_length_of_the_key() {
        assert_eq!(marker(1, 0).as_deref(), Some("_"));
        assert_eq!(marker(3, 0).as_deref(), Some("__0"));
        assert_eq!(marker(3, 37).as_deref(), Some("_11"));
        assert_eq!(marker(2, 36), None);
        assert_eq!(key_len("\"a${b[\"}\"]}c\" = 1", 0), Some(13));
        assert_eq!(key_len("(local.k) = 1", 0), Some(9));
    }
}
