//! Text from scanned files (paths, values, source lines) is written to terminals and CI logs,
//! where control characters clear the screen or forge links, a line break starts a line of
//! the attacker's choosing, `::error ...` at the start of a line is a GitHub Actions
//! workflow command and `##vso[...]` or `##[...]` anywhere in a line is an Azure Pipelines
//! (or GitHub v1) logging command. Every renderer passes that text through here.

use std::borrow::Cow;

/// A character a terminal or log viewer acts on rather than shows: C0 controls, DEL, C1
/// controls, and the bidirectional overrides that reorder what is shown (Trojan Source).
/// A character a terminal, CI log or browser would act on rather than show: a control
/// character or a bidirectional override.
pub(crate) fn is_hazard(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Whether `text` is printable ASCII and bytes `allowed` accepts only, so holds no hazard:
/// told byte by byte, without decoding characters (nearly every text a report shows).
fn plain_ascii(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    text.bytes()
        .all(|b| (0x20..0x7f).contains(&b) || allowed(b))
}

/// `text` with every hazard but those `keep` accepts written as an escape.
fn escape_unless(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let escaped = |c: char| is_hazard(c) && !keep(c);
    if plain_ascii(text, |b| b.is_ascii() && keep(char::from(b))) || !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text shown on one line (a path, a value, a message): every control character, line
/// breaks and tabs included, written as an escape (`\n`, `\x1b`, `\u{9b}`).
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape_unless(text, |_| false)
}

/// Text whose line breaks are aksguard's own (a help with notes): line breaks kept, every
/// other control character escaped as in `one_line`.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape_unless(text, |c| c == '\n')
}

/// Text for a workflow or logging command's message, whose own escaping turns CR and LF
/// into `%0D` and `%0A`: those kept, every other control character escaped.
pub fn line_breaks_kept(text: &str) -> Cow<'_, str> {
    escape_unless(text, |c| c == '\n' || c == '\r')
}

/// Source lines for a snippet, with every byte where it was: spans are byte offsets into
/// the file, so each hazard becomes a visible character of the same UTF-8 length (`?` for
/// one byte, `¿` for two, U+FFFD for three). Tabs and line ends stay.
pub fn source(text: &str) -> Cow<'_, str> {
    let keep = |c: char, next: Option<char>| match c {
        '\t' | '\n' => true,
        '\r' => next == Some('\n'),
        c => !is_hazard(c),
    };
    if plain_ascii(text, |b| b == b'\t' || b == b'\n') {
        return Cow::Borrowed(text);
    }
    let mut chars = text.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if !keep(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if keep(c, chars.peek().copied()) {
            out.push(c);
        } else {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '¿',
                _ => '\u{FFFD}',
            });
        }
    }
    Cow::Owned(out)
}

/// Where the `[` is when `##` at `at` opens a logging command: `##[` or `##vso[` (any case).
fn logging_command_bracket(line: &str, at: usize) -> Option<usize> {
    let rest = &line.as_bytes()[at + 2..];
    if rest.first() == Some(&b'[') {
        Some(at + 2)
    } else if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"vso[") {
        Some(at + 5)
    } else {
        None
    }
}

/// Where `##` first is in `text` (`text.find("##")`, by memchr: a report's every line is
/// searched).
fn double_hash(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'#', &bytes[from..]) {
        let at = from + found;
        if bytes.get(at + 1) == Some(&b'#') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `line[from..]` with every `##[` and `##vso[` broken by a backslash (`##\[`).
fn break_logging_commands(line: &str, from: usize, out: &mut String) {
    out.push_str(&line[..from]);
    let mut last = from;
    let mut search = from;
    while let Some(found) = double_hash(&line[search..]) {
        let at = search + found;
        if let Some(bracket) = logging_command_bracket(line, at) {
            out.push_str(&line[last..bracket]);
            out.push('\\');
            last = bracket;
        }
        search = at + 2;
    }
    out.push_str(&line[last..]);
}

/// A whole report as written to a log: no line is a workflow or logging command unless
/// `is_command(line)` says the renderer wrote it as one (then its first `prefix` bytes
/// are left alone). Any other line starting with `::` (after spaces) gets a backslash
/// before it, and `##[` / `##vso[` anywhere become `##\[` / `##vso\[`.
pub fn no_commands(output: &str, is_command: impl Fn(&str) -> Option<usize>) -> String {
    let mut out = String::with_capacity(output.len());
    for line in output.split_inclusive('\n') {
        let from = match is_command(line) {
            Some(prefix) => prefix,
            None => {
                let indent = line.len() - line.trim_start().len();
                if line[indent..].starts_with("::") {
                    out.push_str(&line[..indent]);
                    out.push('\\');
                    break_logging_commands(&line[indent..], 0, &mut out);
                    continue;
                }
                0
            }
        };
        break_logging_commands(line, from, &mut out);
    }
    out
}

/// A JSON document (JSON, SARIF) safe to print to a terminal or log without changing what
/// it means: C1 controls and bidirectional overrides (which serde_json writes raw) become
/// `\uXXXX` escapes, and the `[` of `##[` / `##vso[` becomes `\u005b`. `#` only occurs in
/// JSON strings, so every such `[` is inside one, where the escape means the same.
pub fn json(document: &str) -> String {
    json_after(document, 0)
}

/// `json` of `document[from..]`, with what comes before it as context. Only `[`, DEL and
/// non-ASCII characters can need an escape: the text between them is copied whole.
fn json_after(document: &str, from: usize) -> String {
    let bytes = document.as_bytes();
    let mut out = String::with_capacity(document.len() - from);
    let mut copied = from;
    let mut at = from;
    loop {
        at = next_candidate(bytes, at);
        let Some(&byte) = bytes.get(at) else {
            break;
        };
        if byte == b'[' {
            let before = &document[..at];
            let opens_command = before.ends_with("##")
                || before.len() >= 5 && {
                    let tail = &before.as_bytes()[before.len() - 5..];
                    tail[..2] == *b"##" && tail[2..].eq_ignore_ascii_case(b"vso")
                };
            if opens_command {
                out.push_str(&document[copied..at]);
                out.push_str("\\u005b");
                copied = at + 1;
            }
            at += 1;
        } else if byte >= 0x7f {
            // `at` is on a character boundary: every step is a whole character.
            let c = document[at..].chars().next().unwrap_or('\0');
            // C0 controls are escaped by serde_json already; these are not.
            if is_hazard(c) {
                out.push_str(&document[copied..at]);
                crate::json::push_unicode_escape(&mut out, c);
                copied = at + c.len_utf8();
            }
            at += c.len_utf8().max(1);
        }
    }
    out.push_str(&document[copied..]);
    out
}

/// The first byte from `at` on that may need an escape in a JSON document (`[`, DEL, the
/// start of a non-ASCII character), or the length. A report is mostly plain ASCII: eight
/// bytes are tested at once (the escape was the longest single-threaded step of writing it).
fn next_candidate(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Non-zero when some byte of `word` is `byte` (the classic zero-byte test on the XOR).
    let holds = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    while let Some(Ok(eight)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_le_bytes(eight);
        if word & HIGH != 0 || holds(word, b'[') != 0 || holds(word, 0x7f) != 0 {
            break;
        }
        at += 8;
    }
    while at < bytes.len() && bytes[at] != b'[' && bytes[at] < 0x7f {
        at += 1;
    }
    at
}

/// Writes a JSON document as `json` would escape it, while serde_json writes it: a report
/// of hundreds of thousands of findings is never held twice in memory.
pub struct JsonWriter<W: std::io::Write> {
    inner: W,
    /// The last few characters written, for the `##` / `##vso` before a `[`.
    recent: String,
    /// The start of a character split between two writes.
    partial: Vec<u8>,
}

impl<W: std::io::Write> JsonWriter<W> {
    pub fn new(inner: W) -> JsonWriter<W> {
        JsonWriter {
            inner,
            recent: String::new(),
            partial: Vec::new(),
        }
    }

    pub fn into_inner(self) -> W {
        self.inner
    }

    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        let mut context = std::mem::take(&mut self.recent);
        let keep_from = context.len();
        context.push_str(text);
        let escaped = json_after(&context, keep_from);
        self.inner.write_all(escaped.as_bytes())?;
        let mut tail = context.len().saturating_sub(5);
        while !context.is_char_boundary(tail) {
            tail -= 1;
        }
        self.recent = context[tail..].to_string();
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for JsonWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.partial.extend_from_slice(buf);
        let bytes = std::mem::take(&mut self.partial);
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not UTF-8",
                ))
            }
        };
        // Checked just above.
        let text = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        self.write_text(text)?;
        self.partial = bytes[valid..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn double_hash_is_find() {
        for text in [
            "", "#", "##", "a#b#c", "a##[x", "#a##", "###", "x#", "é##vso[", "# # ##",
        ] {
            assert_eq!(super::double_hash(text), text.find("##"), "{text:?}");
        }
    }

    #[test]
    fn plain_ascii_text_is_shown_as_it_is_and_the_rest_as_before() {
        let hazards = "a\tb\r\nc\rd\x1b[2Je\u{9b}f\u{202e}g\x7fh é";
        assert_eq!(source("plain line\twith tab\n"), "plain line\twith tab\n");
        assert_eq!(source(hazards), "a\tb\r\nc?d?[2Je¿f\u{FFFD}g?h é");
        assert_eq!(one_line("a path/x.tf"), "a path/x.tf");
        assert_eq!(lines("two\nlines\x7f"), "two\nlines\\x7f");
    }
    use super::*;

    #[test]
    fn one_line_escapes_every_control_character() {
        assert_eq!(one_line("plain/path.tf"), "plain/path.tf");
        assert_eq!(
            one_line("a\n::error x\r\x1b[2J\x07\u{9b}b\u{202e}"),
            "a\\n::error x\\r\\x1b[2J\\x07\\u{9b}b\\u{202e}"
        );
        assert_eq!(lines("note\n\x1b]8;;x\x07"), "note\n\\x1b]8;;x\\x07");
    }

    #[test]
    fn source_keeps_every_byte_offset() {
        let text = "a: \x1b[31m\u{85}x\u{202e}\r\nb\rc\n";
        let shown = source(text);
        assert_eq!(shown, "a: ?[31m¿x\u{FFFD}\r\nb?c\n");
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown.chars().count(), text.chars().count());
    }

    #[test]
    fn no_line_becomes_a_command() {
        let out = no_commands(
            "  ::error file=x::pwned\nvalue ##vso[task.setvariable variable=X]1 and ##[error]x ##VSO[y\n::notice::ours\n",
            |line| line.starts_with("::notice").then_some(2),
        );
        assert_eq!(
            out,
            "  \\::error file=x::pwned\nvalue ##vso\\[task.setvariable variable=X]1 and ##\\[error]x ##VSO\\[y\n::notice::ours\n"
        );
    }

    /// Exactly the escapes, and nothing else changed: non-hazard characters of every UTF-8
    /// length and a `[` that opens no command are copied as they are, also when the text
    /// arrives through the writer in pieces split inside characters and commands.
    #[test]
    fn json_escapes_exactly_the_hazards() {
        let text = "[a] é€😀 \u{7f}x ##[e] #[n] ##VsO[t] vso[ \u{85}\u{202e}\u{2066}[";
        let expected =
            "[a] é€😀 \\u007fx ##\\u005be] #[n] ##VsO\\u005bt] vso[ \\u0085\\u202e\\u2066[";
        assert_eq!(json(text), expected);
        for split in 1..text.len() {
            let mut writer = JsonWriter::new(Vec::new());
            std::io::Write::write_all(&mut writer, &text.as_bytes()[..split]).unwrap();
            std::io::Write::write_all(&mut writer, &text.as_bytes()[split..]).unwrap();
            assert_eq!(
                String::from_utf8(writer.into_inner()).unwrap(),
                expected,
                "{split}"
            );
        }
    }

    /// Each character that may need an escape is found wherever it falls in the bytes
    /// tested eight at a time, and the plain text around it is copied as it is.
    #[test]
    fn json_finds_hazards_at_every_offset() {
        for (hazard, escaped) in [
            ("##[", "##\\u005b"),
            ("\u{7f}", "\\u007f"),
            ("\u{9b}", "\\u009b"),
            ("\u{202e}", "\\u202e"),
        ] {
            for before in 0..20 {
                for after in [0, 1, 7, 8, 9, 17] {
                    let text = format!("{}{hazard}{}é[", "a".repeat(before), "b".repeat(after));
                    let expected =
                        format!("{}{escaped}{}é[", "a".repeat(before), "b".repeat(after));
                    assert_eq!(json(&text), expected, "{before} {after}");
                }
            }
        }
        for text in ["", "a", "abcdefgh", "abcdefghi", "abcdefgh[x]"] {
            assert_eq!(json(text), text);
        }
    }

    #[test]
    fn json_stays_the_same_document() {
        let document = serde_json::json!({"m": "##vso[task.complete]\u{9b}2J ##[error] \u{202e}#"});
        let text = serde_json::to_string_pretty(&document).unwrap();
        let safe = json(&text);
        assert!(!safe.contains("##vso[") && !safe.contains("##[") && !safe.contains('\u{9b}'));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            document
        );
    }
}
