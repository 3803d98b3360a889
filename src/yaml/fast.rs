//! A reader for the plain block YAML that rendered manifests and CI pipelines are mostly made
//! of: block mappings and sequences, plain and quoted one-line scalars, comments, a leading
//! `---`. saphyr's scanner spends about 200 instructions a byte on such text; this reads it
//! line by line and feeds the same events, with the same spans, to the same [`Builder`], so
//! the value tree, its spans and every limit come out as saphyr's would.
//!
//! Whatever it does not fully understand (flow collections, anchors, aliases, tags, block
//! scalars, multi-line scalars, escapes, tabs, CR, non-ASCII text, odd indentation, anything
//! saphyr would reject...) makes it give up, and the piece is parsed by saphyr from the
//! start. Sameness is checked by `tests::fast_path_equals_saphyr_*`, which compare both paths
//! on the test YAML and on generated inputs.

use super::{Builder, Value};
use crate::source::FileId;
use saphyr_parser::{Event, ScalarStyle};
use std::borrow::Cow;

/// Nesting beyond this goes to saphyr (far below `MAX_DEPTH`; keeps recursion shallow).
const MAX_FAST_DEPTH: usize = 64;
/// saphyr looks for a simple key's `:` at most 1024 characters on; longer keys go to saphyr.
const MAX_KEY: usize = 1000;

/// The documents of `chunk` and the file's expanded scalar bytes after it, or None when the
/// piece must be parsed by saphyr (including whenever the builder reports an error, so errors
/// always come from one place).
pub(super) fn parse(
    file: FileId,
    chunk: &str,
    base: usize,
    expanded: usize,
) -> Option<(Vec<Value>, usize)> {
    // Printable ASCII and line breaks only; no early exit, so the loop vectorises.
    let unusual = chunk.bytes().fold(false, |unusual, b| {
        unusual | (b.wrapping_sub(b' ') > b'~' - b' ') & (b != b'\n')
    });
    if unusual {
        return None;
    }
    let mut reader = Reader {
        text: chunk,
        bytes: chunk.as_bytes(),
        pos: 0,
        pending: None,
        builder: Builder::new(file, chunk, base, &[], expanded),
        docs: Vec::new(),
    };
    reader.document().ok()?;
    let bytes = reader.builder.bytes;
    Some((reader.docs, bytes))
}

/// Give up: saphyr parses the piece.
struct Unsupported;

type Step = Result<(), Unsupported>;

/// A line with content (not blank, not only a comment), or the rest of one after `- `.
#[derive(Clone, Copy)]
struct Line {
    /// Byte offset of the line's first byte.
    start: usize,
    /// Byte offset of the content.
    at: usize,
    /// Byte offset of the line break (or the end of the text).
    end: usize,
}

impl Line {
    fn col(&self) -> usize {
        self.at - self.start
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Start of the next line not yet read.
    pos: usize,
    /// The content line looked at and not yet consumed.
    pending: Option<Line>,
    builder: Builder<'a>,
    docs: Vec<Value>,
}

/// What content at some offset is, read as the start of a block node's line.
enum Content<'a> {
    /// `key:` with where the key's scalar ends (its span) and the colon.
    Entry {
        key: Cow<'a, str>,
        style: ScalarStyle,
        key_end: usize,
        colon: usize,
    },
    /// Not a mapping entry: a scalar, or something saphyr must judge.
    Other,
}

impl<'a> Reader<'a> {
    fn emit(&mut self, ev: Event<'a>, start: usize, end: usize) -> Step {
        self.builder
            .on_event(ev, start, end, &mut self.docs)
            .map_err(|_| Unsupported)
    }

    fn scalar(&mut self, text: Cow<'a, str>, style: ScalarStyle, start: usize, end: usize) -> Step {
        self.emit(Event::Scalar(text, style, 0, None), start, end)
    }

    /// The next content line, skipping blank and comment lines. A document marker (`---`,
    /// `...`) at column 0 is only expected first, by [`Reader::document`].
    fn peek(&mut self) -> Result<Option<Line>, Unsupported> {
        if let Some(line) = self.pending {
            return Ok(Some(line));
        }
        let bytes = self.bytes;
        loop {
            if self.pos >= bytes.len() {
                return Ok(None);
            }
            let start = self.pos;
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let mut at = start;
            while at < end && bytes[at] == b' ' {
                at += 1;
            }
            if at == end || bytes[at] == b'#' {
                self.pos = end + 1;
                continue;
            }
            let line = Line { start, at, end };
            if at == start && is_marker(&bytes[start..end]) && start != 0 {
                return Err(Unsupported);
            }
            self.pending = Some(line);
            return Ok(Some(line));
        }
    }

    fn consume(&mut self) {
        if let Some(line) = self.pending.take() {
            self.pos = line.end + 1;
        }
    }

    fn document(&mut self) -> Step {
        let mut explicit = false;
        if let Some(first) = self.peek()? {
            if first.col() == 0 && is_marker(&self.bytes[first.at..first.end]) {
                // Only a bare `---` (and a comment) starts the documents read here.
                let rest = &self.bytes[first.at + 3..first.end];
                let blank = rest.iter().position(|&b| b != b' ');
                if !self.bytes[first.at..].starts_with(b"---")
                    || blank.is_some_and(|i| i == 0 || rest[i] != b'#')
                {
                    return Err(Unsupported);
                }
                explicit = true;
                self.consume();
            }
        }
        let Some(root) = self.peek()? else {
            // Comments only: no document; `---` alone: a null document (saphyr's span).
            return if explicit { Err(Unsupported) } else { Ok(()) };
        };
        if root.col() != 0 {
            return Err(Unsupported);
        }
        self.emit(Event::DocumentStart(explicit), root.at, root.at)?;
        self.node(root, 0)?;
        if self.peek()?.is_some() {
            return Err(Unsupported);
        }
        let end = self.bytes.len();
        self.emit(Event::DocumentEnd, end, end)
    }

    /// A block collection starting at `line` (looked at, not consumed), indented by its column.
    fn node(&mut self, line: Line, depth: usize) -> Step {
        if depth > MAX_FAST_DEPTH {
            return Err(Unsupported);
        }
        if is_dash(self.bytes, line) {
            return self.sequence(line.col(), false, depth);
        }
        // Not an entry: a scalar on its own line, which saphyr reads (it may go on).
        let content = self.content(line)?;
        self.mapping(line, content, depth)
    }

    /// A block mapping whose first entry is `first`, already read as `content`.
    fn mapping(&mut self, first: Line, content: Content<'a>, depth: usize) -> Step {
        let indent = first.col();
        self.emit(Event::MappingStart(0, None), first.at, first.at)?;
        self.entry(first, content, indent, depth)?;
        let mut end = self.bytes.len();
        while let Some(line) = self.peek()? {
            if line.col() < indent {
                end = line.at;
                break;
            }
            if line.col() > indent || is_dash(self.bytes, line) {
                return Err(Unsupported);
            }
            let content = self.content(line)?;
            self.entry(line, content, indent, depth)?;
        }
        self.emit(Event::MappingEnd, end, end)
    }

    fn entry(&mut self, line: Line, content: Content<'a>, indent: usize, depth: usize) -> Step {
        let Content::Entry {
            key,
            style,
            key_end,
            colon,
        } = content
        else {
            return Err(Unsupported);
        };
        self.scalar(key, style, line.at, key_end)?;
        let mut value = colon + 1;
        while value < line.end && self.bytes[value] == b' ' {
            value += 1;
        }
        if value < line.end && self.bytes[value] != b'#' {
            self.consume();
            return self.inline_value(value, line.end, indent);
        }
        self.consume();
        match self.peek()? {
            Some(next) if next.col() > indent => self.node(next, depth + 1),
            Some(next) if next.col() == indent && is_dash(self.bytes, next) => {
                self.sequence(indent, true, depth + 1)
            }
            // saphyr puts an omitted value at the key's colon.
            _ => self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, colon, colon),
        }
    }

    /// A block sequence whose `-` are at column `indent`; `indentless` when it is a mapping
    /// value at the mapping's own indentation.
    fn sequence(&mut self, indent: usize, indentless: bool, depth: usize) -> Step {
        let mut first = true;
        let mut end = self.bytes.len();
        while let Some(line) = self.peek()? {
            if line.col() < indent || (indentless && !is_dash(self.bytes, line)) {
                end = line.at;
                break;
            }
            if line.col() > indent || !is_dash(self.bytes, line) {
                return Err(Unsupported);
            }
            let mut item = line.at + 1;
            while item < line.end && self.bytes[item] == b' ' {
                item += 1;
            }
            let empty = item == line.end || self.bytes[item] == b'#';
            // saphyr's `-` token sits where the item starts, or at the end of the line (after
            // a comment) when the item is on the next lines.
            let entry = if empty { line.end } else { item };
            if first {
                let at = if indentless { entry } else { line.at };
                self.emit(Event::SequenceStart(0, None), at, at)?;
                first = false;
            }
            if empty {
                self.consume();
                match self.peek()? {
                    Some(next) if next.col() > indent => self.node(next, depth + 1)?,
                    _ => self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, entry, entry)?,
                }
                continue;
            }
            let rest = Line {
                start: line.start,
                at: item,
                end: line.end,
            };
            if is_dash(self.bytes, rest) {
                return Err(Unsupported);
            }
            match self.content(rest)? {
                content @ Content::Entry { .. } => {
                    if depth + 1 > MAX_FAST_DEPTH {
                        return Err(Unsupported);
                    }
                    self.pending = Some(rest);
                    self.mapping(rest, content, depth + 1)?;
                }
                Content::Other => {
                    self.consume();
                    self.inline_value(item, line.end, indent)?;
                }
            }
        }
        self.emit(Event::SequenceEnd, end, end)
    }

    /// Whether `line`'s content is a `key:` entry, and its key.
    fn content(&self, line: Line) -> Result<Content<'a>, Unsupported> {
        let bytes = self.bytes;
        let (at, end) = (line.at, line.end);
        match bytes[at] {
            quote @ (b'"' | b'\'') => {
                let Some((text, close)) = self.quoted(quote, at, end)? else {
                    return Err(Unsupported);
                };
                let colon = close + 1;
                if colon < end && bytes[colon] == b':' {
                    if colon + 1 < end && bytes[colon + 1] != b' ' || colon - at > MAX_KEY {
                        return Err(Unsupported);
                    }
                    let style = if quote == b'"' {
                        ScalarStyle::DoubleQuoted
                    } else {
                        ScalarStyle::SingleQuoted
                    };
                    return Ok(Content::Entry {
                        key: text,
                        style,
                        key_end: colon,
                        colon,
                    });
                }
                Ok(Content::Other)
            }
            _ if starts_block_plain(bytes, at, end) => match plain_end(bytes, at, end) {
                PlainEnd::Colon(i) => {
                    if bytes[i - 1] == b' ' || i - at > MAX_KEY {
                        return Err(Unsupported);
                    }
                    Ok(Content::Entry {
                        key: Cow::Borrowed(&self.text[at..i]),
                        style: ScalarStyle::Plain,
                        key_end: i,
                        colon: i,
                    })
                }
                PlainEnd::Comment(_) | PlainEnd::Line => Ok(Content::Other),
            },
            // Values only (a flow key such as `[a]: b` is left to saphyr by `inline_value`).
            b'|' | b'>' | b'[' | b'{' => Ok(Content::Other),
            _ => Err(Unsupported),
        }
    }

    /// A quoted scalar opening at `at` and closing on the same line: its text and the offset
    /// of the closing quote. Escapes in double quotes go to saphyr.
    fn quoted(
        &self,
        quote: u8,
        at: usize,
        end: usize,
    ) -> Result<Option<(Cow<'a, str>, usize)>, Unsupported> {
        let bytes = self.bytes;
        let mut from = at + 1;
        let mut doubled = false;
        while let Some(n) = memchr::memchr2(quote, b'\\', &bytes[from..end]) {
            let i = from + n;
            match bytes[i] {
                b'\\' if quote == b'"' => return Err(Unsupported),
                b'\'' if quote == b'\'' && i + 1 < end && bytes[i + 1] == b'\'' => {
                    doubled = true;
                    from = i + 2;
                }
                b if b == quote => {
                    let inner = &self.text[at + 1..i];
                    let text = if doubled {
                        Cow::Owned(inner.replace("''", "'"))
                    } else {
                        Cow::Borrowed(inner)
                    };
                    return Ok(Some((text, i)));
                }
                // A backslash in single quotes is text.
                _ => from = i + 1,
            }
        }
        Ok(None)
    }

    /// `|`, `|-`, `>`, `>-` (and a comment) at `at`, and the lines after it, which have no
    /// blank line before the first one and, folded, none between them and none indented
    /// more than the first (saphyr has rules of its own for those, and for `+`, indentation
    /// indicators and a text ending inside the scalar without a line break).
    fn block_scalar(&mut self, at: usize, end: usize, parent: usize) -> Step {
        let bytes = self.bytes;
        let literal = bytes[at] == b'|';
        let strip = bytes.get(at + 1) == Some(&b'-') && at + 1 < end;
        let header_end = at + 1 + usize::from(strip);
        if !rest_is_comment(bytes, header_end, end) {
            return Err(Unsupported);
        }
        let mut pos = self.pos.min(bytes.len());
        let spaces = |from: usize| bytes[from..].iter().take_while(|&&b| b == b' ').count();
        let indent = spaces(pos);
        let first_end =
            memchr::memchr(b'\n', &bytes[pos.min(bytes.len())..]).map_or(bytes.len(), |i| pos + i);
        if pos >= bytes.len() || indent <= parent || pos + indent >= first_end {
            return Err(Unsupported);
        }
        let start = pos + indent;
        let mut text = String::new();
        let mut lines = 0usize;
        let mut empty = 0usize;
        let mut ended = false;
        while pos < bytes.len() {
            let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            let blanks = spaces(pos).min(line_end - pos);
            let only_blanks = pos + blanks == line_end;
            if only_blanks && blanks <= indent {
                empty += 1;
            } else if blanks < indent {
                ended = true;
                break;
            } else {
                let content = &self.text[pos + indent..line_end];
                if !literal && (empty > 0 || content.starts_with(' ')) {
                    return Err(Unsupported);
                }
                if lines > 0 {
                    text.push(if literal { '\n' } else { ' ' });
                }
                text.extend(std::iter::repeat_n('\n', empty));
                text.push_str(content);
                lines += 1;
                empty = 0;
            }
            pos = (line_end + 1).min(bytes.len());
        }
        if !ended && bytes.last() != Some(&b'\n') {
            // The text ends inside the scalar without a line break.
            return Err(Unsupported);
        }
        if !strip {
            text.push('\n');
        }
        // Where the next token starts: saphyr's span runs to it, and the builder trims it.
        let after = pos;
        self.pos = pos;
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.scalar(Cow::Owned(text), style, start, after)
    }

    /// `[a, "b", 'c']` on one line, of one-word plain or quoted scalars, then only a comment.
    fn flow_sequence(&mut self, open: usize, end: usize) -> Step {
        let bytes = self.bytes;
        let blanks = |mut i: usize| {
            while i < end && bytes[i] == b' ' {
                i += 1;
            }
            i
        };
        self.emit(Event::SequenceStart(0, None), open, open + 1)?;
        let mut i = blanks(open + 1);
        let mut first = true;
        loop {
            if i == end {
                return Err(Unsupported);
            }
            match bytes[i] {
                b']' if first => break,
                b']' => return Err(Unsupported),
                quote @ (b'"' | b'\'') => {
                    let Some((text, close)) = self.quoted(quote, i, end)? else {
                        return Err(Unsupported);
                    };
                    // saphyr's span of a quoted scalar runs over the blanks after it.
                    let after = blanks(close + 1);
                    let style = if quote == b'"' {
                        ScalarStyle::DoubleQuoted
                    } else {
                        ScalarStyle::SingleQuoted
                    };
                    self.scalar(text, style, i, after)?;
                    i = after;
                }
                b if starts_plain(b) => {
                    let mut stop = i;
                    while stop < end && flow_plain(bytes[stop]) {
                        stop += 1;
                    }
                    self.scalar(
                        Cow::Borrowed(&self.text[i..stop]),
                        ScalarStyle::Plain,
                        i,
                        stop,
                    )?;
                    i = blanks(stop);
                }
                _ => return Err(Unsupported),
            }
            first = false;
            match bytes.get(i) {
                Some(b']') if i < end => break,
                Some(b',') if i < end => i = blanks(i + 1),
                _ => return Err(Unsupported),
            }
        }
        if !rest_is_comment(bytes, i + 1, end) {
            return Err(Unsupported);
        }
        // saphyr's span of a closing bracket runs over the blanks and comment after it.
        self.emit(Event::SequenceEnd, i, end)
    }

    /// A value starting at `at`, alone on the rest of its line (but for a comment): a scalar,
    /// a flow sequence of scalars, an empty flow mapping, or the header of a block scalar
    /// whose lines follow, in a collection indented by `parent`. Its line is consumed.
    fn inline_value(&mut self, at: usize, end: usize, parent: usize) -> Step {
        let bytes = self.bytes;
        match bytes[at] {
            b'|' | b'>' => self.block_scalar(at, end, parent),
            b'[' => self.flow_sequence(at, end),
            b'{' => {
                let mut close = at + 1;
                while close < end && bytes[close] == b' ' {
                    close += 1;
                }
                if close == end || bytes[close] != b'}' || !rest_is_comment(bytes, close + 1, end) {
                    return Err(Unsupported);
                }
                self.emit(Event::MappingStart(0, None), at, at + 1)?;
                // saphyr's span of a closing bracket runs over the blanks and comment after it.
                self.emit(Event::MappingEnd, close, end)
            }
            quote @ (b'"' | b'\'') => {
                let Some((text, close)) = self.quoted(quote, at, end)? else {
                    return Err(Unsupported);
                };
                if !rest_is_comment(bytes, close + 1, end) {
                    return Err(Unsupported);
                }
                let style = if quote == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                // saphyr's span of a quoted scalar runs over the blanks and comment after it.
                self.scalar(text, style, at, end)
            }
            _ if starts_block_plain(bytes, at, end) => {
                let mut stop = match plain_end(bytes, at, end) {
                    PlainEnd::Colon(_) => return Err(Unsupported),
                    PlainEnd::Comment(i) => i,
                    PlainEnd::Line => end,
                };
                while bytes[stop - 1] == b' ' {
                    stop -= 1;
                }
                self.scalar(
                    Cow::Borrowed(&self.text[at..stop]),
                    ScalarStyle::Plain,
                    at,
                    stop,
                )
            }
            _ => Err(Unsupported),
        }
    }
}

/// Where a block plain scalar starting at `at` (not at a blank) stops on its line.
enum PlainEnd {
    /// At a `:` followed by a blank or the line's end (a mapping key's end).
    Colon(usize),
    /// At the `#` of a comment (after a blank).
    Comment(usize),
    /// At the line's end.
    Line,
}

fn plain_end(bytes: &[u8], at: usize, end: usize) -> PlainEnd {
    let mut from = at;
    while let Some(n) = memchr::memchr2(b':', b'#', &bytes[from..end]) {
        let i = from + n;
        if bytes[i] == b':' {
            if i + 1 == end || bytes[i + 1] == b' ' {
                return PlainEnd::Colon(i);
            }
        } else if i > at && bytes[i - 1] == b' ' {
            return PlainEnd::Comment(i);
        }
        from = i + 1;
    }
    PlainEnd::Line
}

/// Only blanks, and maybe a comment after them, from `at` to `end`.
fn rest_is_comment(bytes: &[u8], at: usize, end: usize) -> bool {
    let mut i = at;
    while i < end && bytes[i] == b' ' {
        i += 1;
    }
    i == end || (bytes[i] == b'#' && i > at)
}

/// A plain scalar in block context starts at `at`: as in a flow sequence, or with a `-`
/// before a non-blank (`--flag`, `-1`).
fn starts_block_plain(bytes: &[u8], at: usize, end: usize) -> bool {
    match bytes[at] {
        b'-' => at + 1 < end && bytes[at + 1] != b' ',
        b => starts_plain(b),
    }
}

/// A plain scalar may start with this byte (indicators go to saphyr; `-` only before a
/// non-blank, as in `-1`).
fn starts_plain(b: u8) -> bool {
    !matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// A byte of a one-word plain scalar in a flow sequence (no blanks, indicators or quotes).
fn flow_plain(b: u8) -> bool {
    !matches!(
        b,
        b' ' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b':' | b'\'' | b'"'
    )
}

/// A `-` sequence entry indicator at the line's content.
fn is_dash(bytes: &[u8], line: Line) -> bool {
    bytes[line.at] == b'-' && (line.at + 1 == line.end || bytes[line.at + 1] == b' ')
}

/// `---` or `...` followed by a blank or the end of the line.
fn is_marker(line: &[u8]) -> bool {
    (line.starts_with(b"---") || line.starts_with(b"...")) && line.get(3).is_none_or(|&b| b == b' ')
}

#[cfg(test)]
mod tests {
    use super::super::{parse_saphyr, split_documents};
    use super::parse;
    use std::path::Path;

    /// Whether the fast path took `text`'s pieces (how many), failing when any of them
    /// differs from saphyr's reading: documents, spans, error, expanded bytes.
    fn compare(text: &str, what: &str) -> usize {
        let mut taken = 0;
        for piece in split_documents(text) {
            let chunk = &text[piece.start..piece.end];
            let Some((docs, bytes)) = parse(3, chunk, piece.start, 17) else {
                continue;
            };
            taken += 1;
            let (slow_docs, error, _, slow_bytes) = parse_saphyr(3, chunk, piece.start, &[], 17);
            assert_eq!(
                error, None,
                "{what}: saphyr rejects what the fast path read:\n{chunk}"
            );
            assert_eq!(
                format!("{docs:#?}"),
                format!("{slow_docs:#?}"),
                "{what}: documents differ:\n{chunk}"
            );
            assert_eq!(bytes, slow_bytes, "{what}: expanded bytes differ:\n{chunk}");
        }
        taken
    }

    fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn fast_path_equals_saphyr_on_the_test_yaml() {
        let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        // More trees to compare on, e.g. a corpus of real manifests (not part of the suite).
        if let Some(extra) = std::env::var_os("AKSGUARD_YAML_DIFF_DIRS") {
            dirs.extend(std::env::split_paths(&extra));
        }
        let mut files = Vec::new();
        for dir in &dirs {
            yaml_files(dir, &mut files);
        }
        let (mut pieces, mut taken) = (0, 0);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            pieces += split_documents(&text).len();
            taken += compare(&text, &file.display().to_string());
        }
        eprintln!(
            "{} files, {pieces} pieces, {taken} read by the fast path",
            files.len()
        );
        assert!(
            taken >= 10,
            "the fast path read only {taken} of {pieces} pieces"
        );
    }

    #[test]
    fn fast_path_equals_saphyr_on_examples() {
        let cases = [
            "a: b\n",
            "---\n# Source: x\napiVersion: \"v1\"\nkind: Svc   # c\nmeta:\n  name: web\n  empty:\n  list:\n    - a\n    - b: 1\n      c: \"x\"\n    -\n      d: e\n  ind:\n  - x\n  - y\n  last: 2\n",
            "a: |\n  x: 1\n   y\n\n  # z\nb: |-  # c\n    p\n    q\n\nc: >\n  f g\n  h\nd:\n- >-\n  i\n  j\n- |\n  k\n# end\ne: 1\n",
            "a: |\n  x\n",
            "- [a, b]\n- {}\n- |\n  x\n",
            "a: b   \nq: \"x\"  # c\ns: 'it''s'\nl:\n-\n-   k: v\n    m: n\n- x\n# end\n\n",
            "l:\n-   # c\n- \n-\n  - x\nk:   # c\n  # d\nj:\n  -\n  - y\n  -    \n",
            "# only a comment\n\n",
            "- a\n- b: c\n  d: e\n-\n  f: g\n",
            "a:\n  b:\n    c:\n      - d\n      - e: f\n        g: h\nn: 1\n",
            "on: yes\noff: No\nnum: 0x1F\nf: 1e3\nh: .5\nn: ~\nt: 'true'\n",
            "<<: x\na#b: c\na:b: c\n\"q k\": 'v'\n'k''s': \"\"\n",
            "a: http://x:80/y # c\nb: x#y\nc: '' # c\n",
        ];
        let mut taken = 0;
        for case in cases {
            taken += compare(case, case);
        }
        assert!(taken >= cases.len(), "only {taken} taken");
    }

    /// Limits are the builder's, whichever path feeds it: a document past them gets
    /// saphyr's reading and the same error.
    #[test]
    fn limits_and_errors_are_the_same_with_the_fast_path() {
        let many: String = (0..=super::super::MAX_NODES / 2)
            .map(|i| format!("k{i}: v\n"))
            .collect();
        let deep: String = (0..super::super::MAX_DEPTH + 4)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        let long_key = format!("{}: v\n", "k".repeat(1100));
        let big = super::super::MAX_EXPANDED_BYTES;
        for (text, expanded, error) in [
            (many.as_str(), 0, Some("document exceeds 100000 nodes")),
            (
                deep.as_str(),
                0,
                Some("YAML nesting deeper than 256 levels"),
            ),
            // saphyr looks for the `:` of a key only 1024 characters on.
            (
                long_key.as_str(),
                0,
                Some("mapping values are not allowed in this context"),
            ),
            (
                "a: b\n",
                big - 1,
                Some("alias expansion exceeds 32 MiB of text in this file"),
            ),
            (
                "a: [b, \n",
                0,
                Some("while parsing a node, did not find expected node content"),
            ),
        ] {
            let both = super::super::parse_counted(3, text, 0, &[], expanded);
            let slow = parse_saphyr(3, text, 0, &[], expanded);
            assert_eq!(format!("{both:?}"), format!("{slow:?}"));
            assert_eq!(
                both.1.as_ref().map(|e| e.message.as_str()),
                error,
                "{}",
                &text[..40.min(text.len())]
            );
        }
    }

    /// xorshift64*: deterministic inputs without a dependency.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
        fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
            from[self.below(from.len())]
        }
        /// Mostly from `usual`, now and then from `odd`.
        fn pick_of<'s>(&mut self, usual: &[&'s str], odd: &[&'s str]) -> &'s str {
            if self.below(20) == 0 {
                self.pick(odd)
            } else {
                self.pick(usual)
            }
        }
    }

    /// Keys and scalars the fast path reads, and odd ones it must leave to saphyr or read
    /// exactly as saphyr does.
    const KEYS: &[&str] = &[
        "-k", "--k", "a", "name", "a.b/c", "k-1", "x y", "\"q k\"", "'s k'", "on", "<<", "a:b",
        "a#b", "1", "\"\"", "''", "n'", "k\"",
    ];
    const ODD_KEYS: &[&str] = &[
        "- k", "?k", "k ", "&a k", "[k]", "k\t", "\u{e9}", "a #b", "*a", "!t k", "\"a\" ", "'a'b",
    ];
    const SCALARS: &[&str] = &[
        "v",
        "1",
        "true",
        "\"dq\"",
        "'sq'",
        "'it''s'",
        "\"\"",
        "''",
        "x y",
        "a#b",
        "a # comment",
        "http://x:80/y",
        "~",
        "null",
        "0x1F",
        "1e3",
        ".5",
        "\"x\"  # c",
        "v   ",
        "'x' ",
        "a,b",
        "a]",
        "x  #c  ",
        "{{ x }}z",
        "a'b",
        "a\"b",
        "No",
        "1.5e-3",
        "[main]",
        "[a, b]",
        "[ a , \"b\" ]",
        "[]",
        "[ ]",
        "{}",
        "{ }",
        "['x']",
        "[a]  # c",
        "[1, true, ~]",
        "[x.y/z, $(a)]",
        "{}  # c",
    ];
    const ODD_SCALARS: &[&str] = &[
        "-1",
        "[a]",
        "{{ x }}",
        "*a",
        "&a v",
        "!!str 1",
        "|",
        ">-",
        "a: b",
        "- x",
        "'a' b",
        "\"a\\\"b\"",
        "\"x\"#c",
        "a:",
        "-",
        "--x",
        ": x",
        "{a: 1}",
        "\"a\n  b\"",
        "\u{e9}",
        "%x",
        "@x",
        "`x",
        "--- x",
        "... x",
        "x\ty",
        "'a\n b'",
        "a\n  b",
        "[a, b,]",
        "[a b]",
        "[a: b]",
        "[[a]]",
        "[a]x",
        "[a]#c",
        "[a",
        "[-a]",
        "{}x",
        "[\"a\"b]",
        "[,a]",
        "[a , ]",
        "[a#b]",
        "[a:b]",
        "[a\n  ]",
        "{a}",
        "[\"a\\\"\"]",
        "[*a]",
        "[&a x]",
        "[!t x]",
        "[? a]",
    ];
    const BLOCK_HEADERS: &[&str] = &[
        "|", "|-", ">", ">-", "|+", ">+", "|2", "|-  # c", ">  # c", "|#c", "| x", "|1-",
    ];
    const BLOCK_LINES: &[&str] = &[
        "text",
        "a: b",
        "- x",
        "# not a comment",
        "\"q\"",
        "'s'",
        "x  ",
        "[a]",
        "{b}",
        "---",
        "...",
        "&a *b !c",
        "|",
        "k:",
    ];

    /// The lines of a block scalar under a key or item indented by `parent`: mostly at one
    /// indentation, now and then blank, more or less indented, or blank with spaces.
    fn block_lines(out: &mut String, parent: usize, rng: &mut Rng) {
        let indent = parent + [1, 2, 2, 4][rng.below(4)];
        for _ in 0..1 + rng.below(4) {
            match rng.below(10) {
                0 => out.push('\n'),
                1 => {
                    out.extend(std::iter::repeat_n(' ', rng.below(indent + 3)));
                    out.push('\n');
                }
                2 => {
                    out.extend(std::iter::repeat_n(' ', indent + 1 + rng.below(3)));
                    out.push_str(rng.pick(BLOCK_LINES));
                    out.push('\n');
                }
                3 if indent > parent + 1 => {
                    out.extend(std::iter::repeat_n(' ', indent - 1));
                    out.push_str(rng.pick(BLOCK_LINES));
                    out.push('\n');
                }
                _ => {
                    out.extend(std::iter::repeat_n(' ', indent));
                    out.push_str(rng.pick(BLOCK_LINES));
                    out.push('\n');
                }
            }
        }
    }

    const COMMENTS: &[&str] = &["", "", "", " # c", "   #c", "#c"];

    fn line(out: &mut String, indent: usize, text: &str, rng: &mut Rng) {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(text);
        out.push_str(rng.pick(COMMENTS));
        out.push('\n');
        match rng.below(12) {
            0 => out.push('\n'),
            1 => {
                out.extend(std::iter::repeat_n(' ', rng.below(6)));
                out.push_str("# note\n");
            }
            _ => {}
        }
    }

    fn mapping(out: &mut String, indent: usize, depth: usize, rng: &mut Rng, first: bool) {
        for i in 0..1 + rng.below(4) {
            let key = rng.pick_of(KEYS, ODD_KEYS);
            // A compact mapping's first key follows its `- ` on the same line.
            let at = if i == 0 && first { 0 } else { indent };
            if rng.below(8) == 0 {
                line(out, at, &format!("{key}: {}", rng.pick(BLOCK_HEADERS)), rng);
                block_lines(out, indent, rng);
            } else if depth > 4 || rng.below(7) < 4 {
                let v = rng.pick_of(SCALARS, ODD_SCALARS);
                line(out, at, &format!("{key}: {v}"), rng);
            } else {
                line(out, at, &format!("{key}:"), rng);
                nested(out, indent, depth + 1, rng, true);
            }
        }
    }

    /// What follows `key:` or `-` alone on its line.
    fn nested(out: &mut String, indent: usize, depth: usize, rng: &mut Rng, in_map: bool) {
        let step = [1, 2, 2, 2, 4][rng.below(5)];
        match rng.below(6) {
            0 => {} // null
            1 | 2 => mapping(out, indent + step, depth, rng, false),
            3 if in_map => sequence(out, indent, depth, rng),
            _ => sequence(out, indent + step, depth, rng),
        }
    }

    fn sequence(out: &mut String, indent: usize, depth: usize, rng: &mut Rng) {
        for _ in 0..1 + rng.below(4) {
            match rng.below(8) {
                0..=2 => {
                    let v = rng.pick_of(SCALARS, ODD_SCALARS);
                    line(out, indent, &format!("- {v}"), rng)
                }
                3..=5 if depth < 5 => {
                    let gap = [1, 1, 1, 3][rng.below(4)];
                    out.extend(std::iter::repeat_n(' ', indent));
                    out.push('-');
                    out.extend(std::iter::repeat_n(' ', gap));
                    mapping(out, indent + 1 + gap, depth + 1, rng, true);
                }
                6 if depth < 5 => {
                    line(out, indent, "-", rng);
                    nested(out, indent, depth + 1, rng, false);
                }
                7 if rng.below(2) == 0 => {
                    line(out, indent, &format!("- {}", rng.pick(BLOCK_HEADERS)), rng);
                    block_lines(out, indent, rng);
                }
                7 => line(out, indent, "- - x", rng),
                _ => line(out, indent, "- v", rng),
            }
        }
    }

    fn document(rng: &mut Rng) -> String {
        let mut out = String::new();
        if rng.below(3) == 0 {
            out.push_str("---\n# Source: chart/templates/x.yaml\n");
        }
        if rng.below(5) == 0 {
            sequence(&mut out, 0, 0, rng);
        } else {
            mapping(&mut out, 0, 0, rng, false);
        }
        if rng.below(8) == 0 {
            out.pop();
        }
        out
    }

    fn mutate(text: &mut String, rng: &mut Rng) {
        const NOISE: &[&str] = &[
            " ", " ", ":", "#", "-", "\"", "'", "\n", "[", "{", "&", "*", "!", "|", ">", "\t",
            "\r", "  ", "- ", ": ", " #", "---\n", "\u{feff}",
        ];
        for _ in 0..1 + rng.below(3) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if rng.below(3) == 0 && at < text.len() {
                let mut end = at + 1;
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(at..end, "");
            } else {
                text.insert_str(at, rng.pick(NOISE));
            }
        }
    }

    /// The document split as it was written before it searched with memchr: line by line.
    fn split_line_by_line(text: &str) -> Vec<(usize, usize)> {
        let mut starts = vec![0usize];
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            if offset > 0 && super::super::is_document_marker(line) {
                starts.push(offset);
            }
            offset += line.len();
        }
        if starts.len() > 1 && super::super::only_directives(&text[..starts[1]]) {
            starts.remove(1);
        }
        let ends = starts.iter().skip(1).copied().chain([text.len()]);
        starts.iter().copied().zip(ends).collect()
    }

    #[test]
    fn split_documents_finds_the_markers_a_line_split_finds() {
        let mut rng = Rng(7);
        let mut texts: Vec<String> = [
            "",
            "---",
            "---\n",
            "\n---",
            "\n---\n---\n",
            "a\n--- x\n---\tb\n---\r\n----\n ---\n",
            "a\n---",
            "a\n--",
            "%YAML 1.2\n---\na: 1\n---\nb: 2",
            "\u{e9}\n---\n\u{e9}",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        for _ in 0..2000 {
            let mut text = document(&mut rng);
            mutate(&mut text, &mut rng);
            texts.push(text);
        }
        for text in &texts {
            let pieces: Vec<_> = split_documents(text)
                .iter()
                .map(|p| (p.start, p.end))
                .collect();
            assert_eq!(pieces, split_line_by_line(text), "{text:?}");
        }
    }

    #[test]
    fn fast_path_equals_saphyr_on_generated_yaml() {
        // More rounds from another seed when asked (`AKSGUARD_YAML_DIFF_ROUNDS=1000000`).
        let rounds = std::env::var("AKSGUARD_YAML_DIFF_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(6000);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ rounds as u64);
        let (mut plain, mut plain_taken, mut mutated, mut mutated_taken) = (0, 0, 0, 0);
        for round in 0..rounds {
            let mut text = document(&mut rng);
            if round % 2 == 1 {
                mutate(&mut text, &mut rng);
                mutated += 1;
                mutated_taken += compare(&text, "mutated");
            } else {
                plain += 1;
                plain_taken += compare(&text, "generated");
            }
        }
        eprintln!(
            "generated {plain} ({plain_taken} fast), mutated {mutated} ({mutated_taken} fast)"
        );
        assert!(
            plain_taken * 5 > plain,
            "fast path took {plain_taken} of {plain}"
        );
        assert!(
            mutated_taken * 10 > mutated,
            "fast path took {mutated_taken} of {mutated}"
        );
    }
}
