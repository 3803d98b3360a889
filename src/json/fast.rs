//! The common case of JSON, parsed in one pass straight into [`Json`]: plain JSON with
//! `//` and `/* */` comments and trailing commas, which is what templates, parameters files
//! and `*.tf.json` almost always are. It gives up (`None`) on everything else (JSON5 forms,
//! single quotes, unusual whitespace or escapes, deep nesting, any error) and the caller
//! parses the text with jsonc-parser instead, so trees, spans and error messages stay
//! jsonc-parser's. Where it does answer, the tree is the one jsonc-parser's would convert
//! to: `same_tree_as_jsonc_parser` in the tests and the `json` fuzz target compare the two.

use super::{number, Json, Node, Prop};
use crate::source::{FileId, Loc};

/// Containers nested inside each other before the fast path leaves a document to
/// jsonc-parser, whose own limit (512 ranges: a container and a property each take one)
/// must be the one that decides.
const MAX_NESTING: usize = 128;

/// Why the fast path stopped: the text is for jsonc-parser.
struct GiveUp;

type Step<T> = Result<T, GiveUp>;

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    file: FileId,
    /// Added to every offset: the length of a leading BOM left out of `text`.
    offset: usize,
    depth: usize,
}

/// The tree of `text` (a leading BOM already removed; `offset` is its length), or `None`
/// when the text is not in the fast path's subset.
pub(super) fn parse(file: FileId, text: &str, offset: usize) -> Option<Json> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        file,
        offset,
        depth: 0,
    };
    let parsed = (|| {
        p.skip_blanks()?;
        let root = p.value()?;
        p.skip_blanks()?;
        if p.at == p.bytes.len() {
            Ok(root)
        } else {
            Err(GiveUp)
        }
    })();
    parsed.ok()
}

impl Parser<'_> {
    fn loc(&self, start: usize, end: usize) -> Loc {
        Loc::new(self.file, start + self.offset, end + self.offset)
    }

    /// Whitespace and comments, as jsonc-parser skips them; other whitespace (vertical tab,
    /// form feed, Unicode spaces) is left to jsonc-parser.
    #[inline]
    fn skip_blanks(&mut self) -> Step<()> {
        match self.bytes.get(self.at) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/') => self.skip_some_blanks(),
            _ => Ok(()),
        }
    }

    fn skip_some_blanks(&mut self) -> Step<()> {
        loop {
            // Indentation, 8 spaces at a time: pretty-printed templates are mostly that.
            while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
                let mut word = [0; 8];
                word.copy_from_slice(chunk);
                let not_spaces = u64::from_le_bytes(word) ^ u64::from_le_bytes([b' '; 8]);
                if not_spaces != 0 {
                    self.at += (not_spaces.trailing_zeros() / 8) as usize;
                    break;
                }
                self.at += 8;
            }
            match self.bytes.get(self.at) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'/') => match self.bytes.get(self.at + 1) {
                    Some(b'/') => {
                        // A line comment ends before `\n` or `\r`.
                        let rest = &self.bytes[self.at + 2..];
                        self.at += 2 + memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
                    }
                    Some(b'*') => {
                        let rest = &self.bytes[self.at + 2..];
                        let close = memchr::memmem::find(rest, b"*/").ok_or(GiveUp)?;
                        self.at += 2 + close + 2;
                    }
                    _ => return Err(GiveUp),
                },
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self) -> Step<Json> {
        let start = self.at;
        let node = match self.bytes.get(self.at) {
            Some(b'{') => return self.object(),
            Some(b'[') => return self.array(),
            Some(b'"') => Node::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => number(self.number()?),
            Some(b't') => self.keyword("true", Node::Bool(true))?,
            Some(b'f') => self.keyword("false", Node::Bool(false))?,
            Some(b'n') => self.keyword("null", Node::Null)?,
            _ => return Err(GiveUp),
        };
        Ok(Json {
            loc: self.loc(start, self.at),
            node,
        })
    }

    /// After a scalar, only what ends a token in every reading: jsonc-parser would scan
    /// e.g. `truex` or `1a` differently.
    fn delimited(&self) -> Step<()> {
        match self.bytes.get(self.at) {
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'/') => Ok(()),
            Some(_) => Err(GiveUp),
        }
    }

    fn keyword(&mut self, word: &str, node: Node) -> Step<Node> {
        if !self.bytes[self.at..].starts_with(word.as_bytes()) {
            return Err(GiveUp);
        }
        self.at += word.len();
        self.delimited()?;
        Ok(node)
    }

    /// The number's text: strict JSON numbers only (no leading zeros, hex, `+`, bare
    /// points, `Infinity`, `NaN`).
    fn number(&mut self) -> Step<&str> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while matches!(p.bytes.get(p.at), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at - from
        };
        if self.bytes[self.at] == b'-' {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(GiveUp),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(GiveUp);
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(GiveUp);
            }
        }
        self.delimited()?;
        Ok(&self.text[start..self.at])
    }

    /// A double-quoted string from its opening quote, decoded: the JSON escapes, a `\u`
    /// surrogate pair included; any other escape is left to jsonc-parser.
    fn string(&mut self) -> Step<String> {
        let start = self.at + 1;
        let rest = &self.bytes[start..];
        let stop = memchr::memchr2(b'"', b'\\', rest).ok_or(GiveUp)?;
        if rest[stop] == b'"' {
            self.at = start + stop + 1;
            return Ok(self.text[start..start + stop].to_string());
        }
        let mut out = String::with_capacity(stop + 16);
        let mut from = start;
        let mut i = start + stop;
        loop {
            match self.bytes.get(i) {
                None => return Err(GiveUp),
                Some(b'"') => {
                    out.push_str(&self.text[from..i]);
                    self.at = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[from..i]);
                    let (decoded, len) = self.escape(i)?;
                    out.push(decoded);
                    i += len;
                    from = i;
                }
                Some(_) => {
                    let rest = &self.bytes[i..];
                    i += memchr::memchr2(b'"', b'\\', rest).ok_or(GiveUp)?;
                }
            }
        }
    }

    /// The escape at `at` (its backslash): the character and the escape's length.
    fn escape(&self, at: usize) -> Step<(char, usize)> {
        let decoded = match self.bytes.get(at + 1).ok_or(GiveUp)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{08}',
            b'f' => '\u{0C}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4(at + 2)?;
                return match unit {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(at + 6..at + 8) != Some(b"\\u") {
                            return Err(GiveUp);
                        }
                        let low = self.hex4(at + 8)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(GiveUp);
                        }
                        let code = (unit - 0xD800) * 0x400 + (low - 0xDC00) + 0x10000;
                        Ok((char::from_u32(code).ok_or(GiveUp)?, 12))
                    }
                    0xDC00..=0xDFFF => Err(GiveUp),
                    _ => Ok((char::from_u32(unit).ok_or(GiveUp)?, 6)),
                };
            }
            _ => return Err(GiveUp),
        };
        Ok((decoded, 2))
    }

    fn hex4(&self, at: usize) -> Step<u32> {
        let digits = self.bytes.get(at..at + 4).ok_or(GiveUp)?;
        digits.iter().try_fold(0u32, |n, &d| {
            let v = (d as char).to_digit(16).ok_or(GiveUp)?;
            Ok(n * 16 + v)
        })
    }

    fn nest(&mut self) -> Step<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(GiveUp);
        }
        Ok(())
    }

    fn object(&mut self) -> Step<Json> {
        self.nest()?;
        let start = self.at;
        self.at += 1;
        let mut props = Vec::new();
        self.skip_blanks()?;
        loop {
            match self.bytes.get(self.at) {
                Some(b'}') => break,
                Some(b'"') => {}
                _ => return Err(GiveUp),
            }
            let key_start = self.at;
            let key = self.string()?;
            self.skip_blanks()?;
            if self.bytes.get(self.at) != Some(&b':') {
                return Err(GiveUp);
            }
            self.at += 1;
            self.skip_blanks()?;
            let value = self.value()?;
            props.push(Prop {
                key,
                loc: self.loc(key_start, self.at),
                value,
            });
            self.after_item(b'}')?;
        }
        self.at += 1;
        self.depth -= 1;
        Ok(Json {
            loc: self.loc(start, self.at),
            node: Node::Object(props),
        })
    }

    /// After a member or element: a comma (a trailing one too) or the closing bracket.
    fn after_item(&mut self, close: u8) -> Step<()> {
        self.skip_blanks()?;
        match self.bytes.get(self.at) {
            Some(b',') => {
                self.at += 1;
                self.skip_blanks()
            }
            Some(&b) if b == close => Ok(()),
            _ => Err(GiveUp),
        }
    }

    fn array(&mut self) -> Step<Json> {
        self.nest()?;
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_blanks()?;
        loop {
            if self.bytes.get(self.at) == Some(&b']') {
                break;
            }
            items.push(self.value()?);
            self.after_item(b']')?;
        }
        self.at += 1;
        self.depth -= 1;
        Ok(Json {
            loc: self.loc(start, self.at),
            node: Node::Array(items),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_jsonc, without_bom};
    use super::*;

    /// The fast tree of `text`, after checking it against jsonc-parser's: where the fast
    /// path answers, jsonc-parser must accept the text and convert it to the same tree.
    fn checked(text: &str) -> Option<Json> {
        let (body, offset) = without_bom(text);
        let fast = parse(7, body, offset)?;
        match parse_jsonc(7, text, usize::MAX) {
            Ok(slow) => assert_eq!(fast, slow, "trees differ for {text:?}"),
            Err(e) => panic!("the fast path accepted {text:?}, jsonc-parser says {e:?}"),
        }
        Some(fast)
    }

    const PLAIN: &[&str] = &[
        "{}",
        "[]",
        " \u{feff}",
        "\u{feff}{\"a\": 1}",
        "{\"a\": [1, -2.5e+3, 0, -0, 1E9, 0.125], \"b\": {\"c\": null, \"d\": true, \"e\": false}}",
        "// head\n{ /* a */ \"k\" /* b */ : /* c */ \"v\" // d\n, \"k2\": [ ] , } // tail",
        "[1,2,3,]",
        "{\"s\": \"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00e9\\u20AC\\ud83d\\ude00j\"}",
        "{\"raw\": \"line\nbreak and tab\t\", \"é\": \"ü\"}",
        "{\"dup\": 1, \"dup\": 2}",
        "\r\n[\r\n  \"x\"\r\n]\r\n",
        "{\"a\":1}/**/",
        "123",
        "\"top\"",
        "null",
    ];

    /// Left to jsonc-parser: JSON5 forms, unusual whitespace, escapes and errors.
    const UNUSUAL: &[&str] = &[
        "",
        "// only a comment",
        "{a: 1}",
        "{'a': 1}",
        "[0x10]",
        "[+1]",
        "[.5]",
        "[5.]",
        "[01]",
        "[Infinity]",
        "[NaN]",
        "[-Infinity]",
        "[truex]",
        "[1a]",
        "[\"\\x41\"]",
        "[\"\\v\"]",
        "[\"\\0\"]",
        "[\"\\'\"]",
        "[\"\\ud83d\"]",
        "[\"\\ude00\"]",
        "[\"\\u12\"]",
        "[\u{a0}1]",
        "[\u{b}1]",
        "[1 2]",
        "[1,,2]",
        "[,]",
        "{\"a\" 1}",
        "{\"a\": 1 \"b\": 2}",
        "{,}",
        "[1] [2]",
        "[1",
        "{\"a\": 1",
        "[\"open",
        "[/* open",
        "[1 / 2]",
    ];

    #[test]
    fn plain_json_is_parsed_as_jsonc_parser_parses_it() {
        for text in PLAIN {
            let tree = checked(text);
            let bom_only = text.trim_start_matches(' ') == "\u{feff}";
            assert_eq!(tree.is_some(), !bom_only, "{text:?}");
        }
        let tree = checked("\u{feff}{\"a\": [1, {\"b\": \"c\"}]}").unwrap();
        let a = tree.prop("A").unwrap();
        // The BOM is three bytes, counted in every span.
        assert_eq!((a.loc.start, a.loc.end), (4, 24));
        assert_eq!(tree.loc, Loc::new(7, 3, 25));
    }

    #[test]
    fn everything_else_is_left_to_jsonc_parser() {
        for text in UNUSUAL {
            assert!(checked(text).is_none(), "the fast path took {text:?}");
        }
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_NESTING + 1),
            "]".repeat(MAX_NESTING + 1)
        );
        assert!(checked(&deep).is_none());
        let deepest = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(checked(&deepest).is_some());
    }

    #[test]
    fn every_json_fixture_gives_jsonc_parsers_tree() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        let mut taken = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            taken += usize::from(checked(&text).is_some());
        }
        // Almost every fixture is plain JSON: the fast path must not quietly give up.
        assert!(
            files.len() >= 40 && taken * 10 >= files.len() * 9,
            "{taken} of {}",
            files.len()
        );
    }

    /// Random edits of the plain documents (a fixed seed, so a failure repeats): the fast
    /// path either gives jsonc-parser's tree or leaves the text to it.
    #[test]
    fn edited_documents_agree_with_jsonc_parser() {
        const PIECES: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "/", "*", "0", "1", "-", ".", "e",
            "+", "x", "u", "d83d", "\r", "\t", "b", "f", "true", "null", "é", "\u{a0}", "'", "//",
            "/*", "*/",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let (mut taken, mut tried) = (0, 0);
        for _ in 0..20_000 {
            let mut text = PLAIN[next(PLAIN.len())].to_string();
            for _ in 0..1 + next(3) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + next(3)).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(at..end, PIECES[next(PIECES.len())]);
            }
            tried += 1;
            taken += usize::from(checked(&text).is_some());
        }
        assert!(
            taken > tried / 10,
            "only {taken} of {tried} edits were plain JSON"
        );
    }
}
