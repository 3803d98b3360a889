//! A JSON value of a plan (a resource's `after`, a state's `values`) as a value tree with
//! byte spans into the plan file, so a finding on a plan alone points at the attribute.
//!
//! The text was already checked by serde_json (the whole plan is parsed once, skipping
//! what is not needed); this converts only the objects of resources the model reads, in
//! one pass, with no intermediate tree. Anything unexpected ends the conversion with
//! `None` rather than a panic: the caller reports the resource as unreadable.

use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Value};

/// Plans nest a few levels (resource, block, nested block, list); serde_json stops at 128.
const MAX_DEPTH: usize = 128;

/// The value written at `text[start..]` (a complete JSON value), located in `file`.
pub fn located(file: FileId, text: &str, start: usize) -> Option<Value> {
    let mut parser = Parser {
        file,
        bytes: text.as_bytes(),
        text,
        at: start,
    };
    parser.value(0)
}

struct Parser<'t> {
    file: FileId,
    bytes: &'t [u8],
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while let Some(b) = self.bytes.get(self.at) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn loc(&self, start: usize) -> Option<Loc> {
        Some(Loc::new(self.file, start, self.at))
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        let start = self.at;
        let kind = match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        let key_start = self.at;
                        let key = self.string()?;
                        self.skip_space();
                        if self.bytes.get(self.at) != Some(&b':') {
                            return None;
                        }
                        self.at += 1;
                        let value = self.value(depth + 1)?;
                        entries.push(Entry {
                            key,
                            key_loc: Some(Loc::new(self.file, key_start, self.at)),
                            value,
                        });
                        self.skip_space();
                        match self.bytes.get(self.at)? {
                            b',' => self.at += 1,
                            b'}' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Kind::Map(entries)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.skip_space();
                        match self.bytes.get(self.at)? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Kind::List(items)
            }
            b'"' => Kind::String(self.string()?),
            b't' => self.word("true", Kind::Bool(true))?,
            b'f' => self.word("false", Kind::Bool(false))?,
            b'n' => self.word("null", Kind::Null)?,
            _ => {
                while let Some(b) = self.bytes.get(self.at) {
                    if matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                        self.at += 1;
                    } else {
                        break;
                    }
                }
                Kind::Number(self.text.get(start..self.at)?.parse().ok()?)
            }
        };
        Some(Value::new(kind, self.loc(start)))
    }

    fn word(&mut self, word: &str, kind: Kind) -> Option<Kind> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            kind
        })
    }

    /// A string at `self.at` (its opening quote), unescaped.
    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let start = self.at;
        // Most strings have no escape: one slice.
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'"' => {
                    let s = self.text.get(start..self.at)?.to_string();
                    self.at += 1;
                    return Some(s);
                }
                b'\\' => break,
                _ => self.at += 1,
            }
        }
        let mut out = self.text.get(start..self.at)?.to_string();
        loop {
            let b = *self.bytes.get(self.at)?;
            match b {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    let escape = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let high = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&high) {
                                // A surrogate pair: `\uD83D\uDE00`.
                                if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
                                    return None;
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                            } else {
                                char::from_u32(high)?
                            };
                            out.push(c);
                        }
                        _ => return None,
                    }
                }
                _ => {
                    // Copy up to the next quote or escape in one piece.
                    let from = self.at;
                    while let Some(&b) = self.bytes.get(self.at) {
                        if b == b'"' || b == b'\\' {
                            break;
                        }
                        self.at += 1;
                    }
                    out.push_str(self.text.get(from..self.at)?);
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_places() {
        let text = r#"xx{"a": [1, true, null], "b\n": {"c": "d\u00e9\ud83d\ude00"}}"#;
        let v = located(3, text, 2).unwrap();
        let a = v.entry("a").unwrap();
        let loc = a.key_loc.unwrap();
        assert_eq!(
            &text[loc.start as usize..loc.end as usize],
            r#""a": [1, true, null]"#
        );
        assert_eq!(a.value.as_list().unwrap().len(), 3);
        let c = v.get("b\n").and_then(|b| b.get("c")).unwrap();
        assert_eq!(c.as_str(), Some("dé😀"));
        assert_eq!(c.loc.unwrap().file, 3);
    }

    #[test]
    fn broken_or_too_deep_input_is_none() {
        assert!(located(0, r#"{"a": tru}"#, 0).is_none());
        assert!(located(0, r#"{"a" 1}"#, 0).is_none());
        assert!(located(0, r#""\ud800x""#, 0).is_none());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(located(0, &deep, 0).is_none());
    }
}
