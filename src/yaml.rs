//! YAML (Kubernetes manifests, CI pipelines): saphyr-parser events → `Value` trees with byte
//! spans into the original file. saphyr-parser's event stream carries positions; the tree is
//! built here so every node keeps its span. Documents are split on `---` lines first so that
//! one broken document does not hide the others.
//!
//! The tree is built with an explicit stack (no recursion), so hostile nesting cannot
//! overflow the stack, and alias expansion is metered so a "billion laughs" document is
//! rejected instead of exhausting memory.

use crate::source::{FileId, Loc};
use crate::value::{format_number, Entry, Kind, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use std::collections::HashMap;

mod fast;

#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub loc: Loc,
    pub message: String,
}

/// Every document of a YAML text as a value tree with spans, whatever it holds (CI
/// pipelines read their own shape from it).
pub fn parse_documents(file: FileId, text: &str) -> (Vec<Value>, Vec<YamlError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut expanded = 0;
    for piece in split_documents(text) {
        let chunk = &text[piece.start..piece.end];
        let (docs, error) = parse(file, chunk, piece.start, &mut expanded);
        out.extend(docs);
        errors.extend(error.map(|e| said_templated(text, e)));
    }
    (out, errors)
}

/// A YAML error in a file that holds template syntax (Jinja `{% %}` / `{# #}`, or `{{ }}`
/// other than GitHub's `${{ }}`) where YAML structure is: the file is not YAML until it is
/// rendered, and the parser's own message (``unexpected character: `%'``) does not say so.
pub(crate) fn said_templated(text: &str, mut error: YamlError) -> YamlError {
    let Some((line, marker)) = template_line(text, error.loc.start as usize) else {
        return error;
    };
    error.message = format!(
        "{}; this file looks like a template (`{marker}` on line {line}), which is not YAML \
         until it is rendered: check the rendered output (`helm template`, or the Jinja or \
         Ansible step that renders it), or leave the templates out with `exclude` in \
         aksguard.toml",
        error.message
    );
    error
}

/// The line (1-based) and marker of template syntax: on the error's line when there is one
/// there, else the first line that starts with it.
fn template_line(text: &str, at: usize) -> Option<(usize, &'static str)> {
    let marker_in = |line: &str, anywhere: bool| -> Option<&'static str> {
        let trimmed = line.trim_start();
        let trimmed = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        for marker in ["{%", "{#", "{{"] {
            if trimmed.starts_with(marker) {
                return Some(marker);
            }
            if anywhere {
                let found = line.match_indices(marker).any(|(i, _)| {
                    // `${{ ... }}` is a GitHub Actions expression, valid inside YAML values.
                    !(marker == "{{" && line[..i].ends_with('$'))
                });
                if found {
                    return Some(marker);
                }
            }
        }
        None
    };
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let error_line = text[..start].matches('\n').count() + 1;
    if let Some(marker) = marker_in(&text[start..end], true) {
        return Some((error_line, marker));
    }
    text.lines()
        .enumerate()
        .find_map(|(i, line)| marker_in(line, false).map(|m| (i + 1, m)))
}

pub(crate) struct Piece {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Byte ranges of the documents, each starting at its `---` line. A document marker at
/// column 0 ends any scalar (YAML forbids it inside content), so a line split is exact.
pub(crate) fn split_documents(text: &str) -> Vec<Piece> {
    let mut starts = vec![0usize];
    let bytes = text.as_bytes();
    for newline in memchr::memmem::find_iter(bytes, b"\n---") {
        let start = newline + 1;
        if bytes
            .get(start + 3)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            starts.push(start);
        }
    }
    // Directives (`%YAML`) before the first `---` belong to that document.
    if starts.len() > 1 && only_directives(&text[..starts[1]]) {
        starts.remove(1);
    }
    let mut pieces = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        pieces.push(Piece { start, end });
    }
    pieces
}

pub(crate) fn is_document_marker(line: &str) -> bool {
    match line.strip_prefix("---") {
        Some(rest) => rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']),
        None => false,
    }
}

fn only_directives(text: &str) -> bool {
    let mut any = false;
    for line in text.lines() {
        let l = line.trim_start_matches('\u{feff}').trim();
        if l.starts_with('%') {
            any = true;
        } else if !(l.is_empty() || l.starts_with('#')) {
            return false;
        }
    }
    any
}

/// Nodes one document may produce, aliases expanded.
pub const MAX_NODES: usize = 100_000;
/// Collections nested inside each other.
pub const MAX_DEPTH: usize = 256;
/// Scalar text (keys and values) the documents of one file may hold, aliases expanded:
/// twice the largest file read, so a manifest may alias a large scalar a few times, not
/// thousands of times.
pub const MAX_EXPANDED_BYTES: usize = 32 << 20;

/// saphyr-parser counts characters; `Loc` wants bytes of the whole file.
struct Offsets {
    base: usize,
    /// Spaces inserted into the parsed text, ascending: (byte offset in the original piece,
    /// how many). Spans are mapped back through them.
    inserted: Vec<(usize, usize)>,
    /// Byte offset of every char index (plus the end), only for non-ASCII text.
    table: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(chunk: &str, base: usize) -> Offsets {
        let table = (!chunk.is_ascii()).then(|| {
            chunk
                .char_indices()
                .map(|(b, _)| b as u32)
                .chain(std::iter::once(chunk.len() as u32))
                .collect()
        });
        Offsets {
            base,
            inserted: Vec::new(),
            table,
            len: chunk.len(),
        }
    }

    /// The file offset of a byte offset within the parsed text.
    fn file(&self, local: usize) -> usize {
        self.base + original_offset(&self.inserted, local)
    }

    /// Byte offset within the chunk.
    fn local(&self, char_index: usize) -> usize {
        match &self.table {
            Some(t) => t.get(char_index).map_or(self.len, |&b| b as usize),
            None => char_index.min(self.len),
        }
    }
}

enum Frame {
    Map {
        entries: Vec<Entry>,
        /// Key text, key start, whether it is a plain `<<` merge key.
        key: Option<(String, usize, bool)>,
        merges: bool,
        start: usize,
        anchor: usize,
        nodes: usize,
        /// Scalar bytes inside, for an anchor's aliases.
        bytes: usize,
        last_end: usize,
    },
    Seq {
        items: Vec<Value>,
        start: usize,
        anchor: usize,
        nodes: usize,
        bytes: usize,
        last_end: usize,
    },
}

struct Builder<'a> {
    file: FileId,
    chunk: &'a str,
    offsets: Offsets,
    stack: Vec<Frame>,
    /// Anchored values with their node count and scalar bytes.
    anchors: HashMap<usize, (Value, usize, usize)>,
    nodes: usize,
    /// Scalar bytes of the file so far, aliases expanded.
    bytes: usize,
    root: Option<Value>,
}

/// How many bytes a piece may be re-parsed in total while joining under-indented flow lines.
const REPARSE_BUDGET: usize = 16 << 20;

/// The documents of one `---` piece. Parsing stops at the first error; documents completed
/// before it are kept.
///
/// saphyr rejects a line inside a flow collection that is indented less than its block
/// (`key: [` ... `]` with the `]` under `key`), which libyaml, PyYAML, go-yaml (kubectl) and
/// GitHub Actions accept: inside a flow collection a line break is only a separator. Such a
/// line is joined to the one before it (line breaks, and comments that would swallow it,
/// become spaces of the same byte length, so every span still points into the file) and
/// the piece is parsed again. `expanded` counts the scalar bytes of the file's pieces so far
/// (aliases expanded, against [`MAX_EXPANDED_BYTES`]).
pub(crate) fn parse(
    file: FileId,
    chunk: &str,
    base: usize,
    expanded: &mut usize,
) -> (Vec<Value>, Option<YamlError>) {
    let mut patched: Option<String> = None;
    let mut inserted: Vec<(usize, usize)> = Vec::new();
    let mut spent = 0usize;
    loop {
        let text = patched.as_deref().unwrap_or(chunk);
        let (docs, error, at, bytes) = parse_counted(file, text, base, &inserted, *expanded);
        let Some(e) = &error else {
            *expanded = bytes;
            return (docs, error);
        };
        // Only the last attempt counts; an error past the limit is not patched.
        *expanded = bytes;
        spent += chunk.len();
        if spent > REPARSE_BUDGET {
            return (docs, error);
        }
        let next = match e.message.as_str() {
            "invalid indentation" => join_flow_line(text, at),
            "invalid indentation in quoted scalar" => {
                indent_continuation(text, at).map(|(next, added)| {
                    for (line_start, n) in added {
                        let original = original_offset(&inserted, line_start);
                        let index = inserted.partition_point(|&(p, _)| p <= original);
                        inserted.insert(index, (original, n));
                    }
                    next
                })
            }
            _ => None,
        };
        match next {
            Some(next) => patched = Some(next),
            None => return (docs, error),
        }
    }
}

/// The offset in the original piece of an offset in the parsed text, given the spaces
/// `inserted` (ascending, at original offsets); a position inside inserted spaces maps to
/// where they were inserted.
fn original_offset(inserted: &[(usize, usize)], parsed: usize) -> usize {
    let mut shift = 0;
    for &(at, n) in inserted {
        let here = at + shift;
        if parsed < here {
            break;
        }
        if parsed < here + n {
            return at;
        }
        shift += n;
    }
    parsed - shift
}

fn line_start_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1)
}

/// A quoted scalar (opening at `at`) whose continuation lines saphyr finds indented too
/// little (libyaml, PyYAML and go-yaml take any indentation there, and folding drops it):
/// `text` with those lines indented to the opening quote's column, and where (in `text`) how
/// many spaces were added. Leading blanks of a continuation line are not part of the value.
fn indent_continuation(text: &str, at: usize) -> Option<(String, Vec<(usize, usize)>)> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(at).filter(|b| matches!(b, b'"' | b'\''))?;
    let wanted = at - line_start_of(text, at);
    let indent = |line: &[u8]| {
        line.iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    };
    // The closing quote.
    let mut end = at + 1;
    while end < bytes.len() {
        match bytes[end] {
            b'\\' if quote == b'"' => end += 1,
            b'\'' if quote == b'\'' && bytes.get(end + 1) == Some(&b'\'') => end += 1,
            b if b == quote => break,
            _ => {}
        }
        end += 1;
    }
    let mut line = at + bytes[at..].iter().position(|&b| b == b'\n')? + 1;
    let mut added = Vec::new();
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    while line <= end.min(bytes.len()) && line < bytes.len() {
        let has = indent(&bytes[line..]);
        if has < wanted {
            out.push_str(&text[copied..line]);
            out.extend(std::iter::repeat_n(' ', wanted - has));
            copied = line;
            added.push((line, wanted - has));
        }
        match bytes[line..].iter().position(|&b| b == b'\n') {
            Some(n) => line += n + 1,
            None => break,
        }
    }
    if added.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, added))
}

/// `text` with the line starting at `at` joined to the content before it, when `at` lies
/// inside a flow collection (`[ ]`, `{ }`); None otherwise.
fn join_flow_line(text: &str, at: usize) -> Option<String> {
    let bytes = text.as_bytes();
    if at > bytes.len() || flow_depth(&text[..at]) == 0 {
        return None;
    }
    let mut out = bytes.to_vec();
    let mut i = at;
    let mut joined = false;
    loop {
        // Back over whitespace, turning line breaks into spaces.
        while i > 0 && matches!(out[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
            i -= 1;
            if matches!(out[i], b'\n' | b'\r') {
                out[i] = b' ';
                joined = true;
            }
        }
        // A comment at the end of that line would now run into the joined line: blank it.
        let line_start = out[..i]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        match comment_start(&out[line_start..i]) {
            Some(hash) => {
                for b in &mut out[line_start + hash..i] {
                    *b = b' ';
                }
                i = line_start + hash;
            }
            None => break,
        }
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8 (a blanked comment's multi-byte
    // characters become as many spaces as they had bytes).
    joined.then(|| String::from_utf8(out).ok()).flatten()
}

/// Where a `#` comment starts in one line (outside quotes), if it has one.
fn comment_start(line: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in line.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'') && (i == 0 || b" \t[{,:".contains(&line[i - 1])) => {
                quote = Some(b)
            }
            None if b == b'#' && (i == 0 || matches!(line[i - 1], b' ' | b'\t')) => return Some(i),
            None => {}
        }
    }
    None
}

/// How many flow collections are open at the end of `text` (quotes and comments skipped).
fn flow_depth(text: &str) -> usize {
    let mut depth = 0usize;
    for line in text.split('\n') {
        let code = match comment_start(line.as_bytes()) {
            Some(hash) => &line[..hash],
            None => line,
        };
        let bytes = code.as_bytes();
        let mut quote: Option<u8> = None;
        for (i, &b) in bytes.iter().enumerate() {
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if matches!(b, b'"' | b'\'')
                    && (i == 0 || b" \t[{,:".contains(&bytes[i - 1])) =>
                {
                    quote = Some(b)
                }
                None if matches!(b, b'[' | b'{') => depth += 1,
                None if matches!(b, b']' | b'}') => depth = depth.saturating_sub(1),
                None => {}
            }
        }
    }
    depth
}

/// One parse of `chunk` (the piece, possibly with lines joined or indented); also the error's
/// byte offset in `chunk`.
#[cfg(test)]
pub(crate) fn parse_once(
    file: FileId,
    chunk: &str,
    base: usize,
    inserted: &[(usize, usize)],
) -> (Vec<Value>, Option<YamlError>, usize) {
    let (docs, error, at, _) = parse_counted(file, chunk, base, inserted, 0);
    (docs, error, at)
}

/// One parse of `chunk` (see `parse_once`), with the file's expanded scalar bytes before this piece; also those
/// after it. Plain block YAML (most manifests and pipelines) is read by [`fast`], which
/// hands anything else to saphyr.
fn parse_counted(
    file: FileId,
    chunk: &str,
    base: usize,
    inserted: &[(usize, usize)],
    expanded: usize,
) -> (Vec<Value>, Option<YamlError>, usize, usize) {
    if inserted.is_empty() {
        if let Some((docs, bytes)) = fast::parse(file, chunk, base, expanded) {
            return (docs, None, 0, bytes);
        }
    }
    parse_saphyr(file, chunk, base, inserted, expanded)
}

/// [`parse_counted`] through saphyr-parser only.
fn parse_saphyr(
    file: FileId,
    chunk: &str,
    base: usize,
    inserted: &[(usize, usize)],
    expanded: usize,
) -> (Vec<Value>, Option<YamlError>, usize, usize) {
    let mut b = Builder::new(file, chunk, base, inserted, expanded);
    let mut docs = Vec::new();
    for event in Parser::new_from_str(chunk) {
        let (result, at) = match event {
            Ok((ev, span)) => {
                let start = b.offsets.local(span.start.index());
                let end = b.offsets.local(span.end.index());
                (b.on_event(ev, start, end, &mut docs), 0)
            }
            Err(e) => (Err(b.scan_error(&e)), b.offsets.local(e.marker().index())),
        };
        if let Err(e) = result {
            return (docs, Some(e), at, b.bytes);
        }
    }
    (docs, None, 0, b.bytes)
}

impl<'a> Builder<'a> {
    fn new(
        file: FileId,
        chunk: &'a str,
        base: usize,
        inserted: &[(usize, usize)],
        expanded: usize,
    ) -> Builder<'a> {
        Builder {
            file,
            chunk,
            offsets: Offsets {
                inserted: inserted.to_vec(),
                ..Offsets::new(chunk, base)
            },
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            bytes: expanded,
            root: None,
        }
    }

    fn loc(&self, local_start: usize, local_end: usize) -> Loc {
        Loc::new(
            self.file,
            self.offsets.file(local_start),
            self.offsets.file(local_end),
        )
    }

    fn error_at(&self, local: usize, message: impl Into<String>) -> YamlError {
        YamlError {
            loc: self.loc(local, local),
            message: message.into(),
        }
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.offsets.local(e.marker().index());
        self.error_at(at, e.info())
    }

    /// One event, with its span as byte offsets in the chunk.
    fn on_event(
        &mut self,
        ev: Event<'_>,
        start: usize,
        end: usize,
        docs: &mut Vec<Value>,
    ) -> Result<(), YamlError> {
        match ev {
            Event::DocumentStart(_) => {
                self.stack.clear();
                self.anchors.clear();
                self.nodes = 0;
                self.root = None;
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    docs.push(root);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, start)?;
                let size = text.len();
                self.count_bytes(size, start)?;
                // Keys are strings whatever they look like: keep the text as written.
                if let Some(Frame::Map {
                    key: k @ None,
                    nodes,
                    bytes,
                    ..
                }) = self.stack.last_mut()
                {
                    let merge = style == ScalarStyle::Plain && text == "<<";
                    *k = Some((text.to_string(), start, merge));
                    *nodes += 1;
                    *bytes += size;
                    if anchor != 0 {
                        let value = Value::string(text.into_owned(), Some(self.loc(start, end)));
                        self.anchors.insert(anchor, (value, 1, size));
                    }
                    return Ok(());
                }
                // Block scalar spans run to the start of the next line, quoted ones in a flow
                // collection over the blanks after the closing quote.
                let trailing = !matches!(style, ScalarStyle::Plain);
                let (start, end) = if trailing {
                    (start, self.trim_end(start, end))
                } else if start == end && self.chunk.as_bytes().get(start) == Some(&b':') {
                    // An omitted value is reported before the key's colon; put it after.
                    (start + 1, end + 1)
                } else {
                    (start, end)
                };
                let kind = scalar_kind(&text, style, tag.as_deref());
                let value = Value::new(kind, Some(self.loc(start, end)));
                self.complete(value, (1, size), anchor, start, end);
            }
            Event::Alias(id) => {
                let Some((_, n, size)) = self.anchors.get(&id) else {
                    return Err(self.error_at(start, "alias to an unknown anchor"));
                };
                let (n, size) = (*n, *size);
                self.count_as(n, start, "alias expansion exceeds")?;
                // Checked before the value is copied; each node copied weighs as 64 bytes
                // of text (about what it takes in memory).
                self.count_bytes(size.saturating_add(n.saturating_mul(64)), start)?;
                let value = self.anchors[&id].0.clone();
                self.complete(value, (n, size), 0, start, end);
            }
            Event::MappingStart(anchor, _) => {
                self.push_check(start)?;
                self.count(1, start)?;
                self.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    merges: false,
                    start,
                    anchor,
                    nodes: 1,
                    bytes: 0,
                    last_end: start,
                });
            }
            Event::SequenceStart(anchor, _) => {
                self.push_check(start)?;
                self.count(1, start)?;
                let start = if end == start {
                    self.dash_before(start)
                } else {
                    start
                };
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    start,
                    anchor,
                    nodes: 1,
                    bytes: 0,
                    last_end: start,
                });
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    mut entries,
                    key,
                    merges,
                    start: s,
                    anchor,
                    nodes,
                    bytes,
                    last_end,
                }) = self.stack.pop()
                {
                    // A key without a value cannot reach here (the parser emits an empty
                    // scalar), but keep it as null rather than drop it.
                    if let Some((k, ks, _)) = key {
                        entries.push(Entry {
                            key: k,
                            key_loc: Some(self.loc(ks, last_end)),
                            value: Value::new(Kind::Null, Some(self.loc(last_end, last_end))),
                        });
                    }
                    if merges {
                        entries = apply_merges(entries);
                    }
                    let e = if end > start { end } else { last_end };
                    let value = Value::map(entries, Some(self.loc(s, e)));
                    self.complete(value, (nodes, bytes), anchor, s, e);
                }
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    start: s,
                    anchor,
                    nodes,
                    bytes,
                    last_end,
                }) = self.stack.pop()
                {
                    let e = if end > start { end } else { last_end };
                    let value = Value::list(items, Some(self.loc(s, e)));
                    self.complete(value, (nodes, bytes), anchor, s, e);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn push_check(&self, at: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error_at(at, format!("YAML nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn count(&mut self, n: usize, at: usize) -> Result<(), YamlError> {
        self.count_as(n, at, "document exceeds")
    }

    fn count_as(&mut self, n: usize, at: usize, what: &str) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(self.error_at(at, format!("{what} {MAX_NODES} nodes")));
        }
        Ok(())
    }

    fn count_bytes(&mut self, size: usize, at: usize) -> Result<(), YamlError> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > MAX_EXPANDED_BYTES {
            return Err(self.error_at(
                at,
                format!(
                    "alias expansion exceeds {} MiB of text in this file",
                    MAX_EXPANDED_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    /// A finished node goes into its parent: as a key, as a value, or as an item. `(n,
    /// size)` are its nodes and scalar bytes.
    fn complete(
        &mut self,
        value: Value,
        (n, size): (usize, usize),
        anchor: usize,
        start: usize,
        end: usize,
    ) {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), n, size));
        }
        let key_loc = |ks: usize, end: usize| {
            Loc::new(self.file, self.offsets.file(ks), self.offsets.file(end))
        };
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Map {
                entries,
                key,
                merges,
                nodes,
                bytes,
                last_end,
                ..
            }) => {
                *nodes += n;
                *bytes += size;
                *last_end = end;
                match key.take() {
                    None => *key = Some((key_text(&value), start, false)),
                    Some((k, ks, merge)) => {
                        *merges |= merge;
                        entries.push(Entry {
                            key: k,
                            key_loc: Some(key_loc(ks, end)),
                            value,
                        });
                    }
                }
            }
            Some(Frame::Seq {
                items,
                nodes,
                bytes,
                last_end,
                ..
            }) => {
                *nodes += n;
                *bytes += size;
                *last_end = end;
                items.push(value);
            }
        }
    }

    /// A span that runs over trailing blanks ends at the last content byte instead.
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        let bytes = self.chunk.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r' | b' ' | b'\t')) {
            end -= 1;
        }
        end
    }

    /// A block sequence starts at its first item; the list really starts at the `-`.
    fn dash_before(&self, start: usize) -> usize {
        let bytes = self.chunk.as_bytes();
        let mut i = start;
        while i > 0 && matches!(bytes.get(i - 1), Some(b' ' | b'\t')) {
            i -= 1;
        }
        if i > 0 && bytes.get(i - 1) == Some(&b'-') {
            i - 1
        } else {
            start
        }
    }
}

/// `<<: *base` / `<<: [*a, *b]`: explicit keys win, then earlier merged maps; merged
/// entries take the place of the `<<` entry and keep the spans where they are written.
fn apply_merges(entries: Vec<Entry>) -> Vec<Entry> {
    let is_merge = |e: &Entry| {
        e.key == "<<"
            && match &e.value.kind {
                Kind::Map(_) => true,
                Kind::List(items) => items.iter().all(|i| matches!(i.kind, Kind::Map(_))),
                _ => false,
            }
    };
    let mut seen: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| !is_merge(e))
        .map(|e| e.key.clone())
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        if !is_merge(&entry) {
            out.push(entry);
            continue;
        }
        let sources = match entry.value.kind {
            Kind::Map(m) => vec![m],
            Kind::List(items) => items
                .into_iter()
                .filter_map(|i| match i.kind {
                    Kind::Map(m) => Some(m),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for source in sources {
            for e in source {
                if seen.insert(e.key.clone()) {
                    out.push(e);
                }
            }
        }
    }
    out
}

/// Non-scalar keys (rare, legal YAML) rendered as flow text.
fn key_text(value: &Value) -> String {
    let mut out = String::new();
    render_flow(value, &mut out);
    out
}

fn render_flow(value: &Value, out: &mut String) {
    match &value.kind {
        Kind::Null => out.push_str("null"),
        Kind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_flow(item, out);
            }
            out.push(']');
        }
        Kind::Map(entries) => {
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&e.key);
                out.push_str(": ");
                render_flow(&e.value, out);
            }
            out.push('}');
        }
        Kind::Unknown(s) | Kind::String(s) => out.push_str(s),
        Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Kind::Number(n) => out.push_str(&format_number(*n)),
    }
}

/// YAML 1.2 core schema: only plain scalars are typed, unless a `!!` tag says otherwise.
fn scalar_kind(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Kind {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return match tag.suffix.as_str() {
            "str" => Kind::String(text.to_string()),
            "null" => Kind::Null,
            "bool" => match core_scalar(text) {
                Some(k @ Kind::Bool(_)) => k,
                _ => Kind::String(text.to_string()),
            },
            "int" | "float" => match core_scalar(text) {
                Some(k @ Kind::Number(_)) => k,
                _ => Kind::String(text.to_string()),
            },
            _ => plain_or_string(text, style),
        };
    }
    plain_or_string(text, style)
}

fn plain_or_string(text: &str, style: ScalarStyle) -> Kind {
    if style == ScalarStyle::Plain {
        core_scalar(text).unwrap_or_else(|| Kind::String(text.to_string()))
    } else {
        Kind::String(text.to_string())
    }
}

fn core_scalar(text: &str) -> Option<Kind> {
    // Most plain scalars are words: none of the forms below starts like them.
    if let Some(first) = text.bytes().next() {
        if !matches!(
            first,
            b'~' | b'n'
                | b'N'
                | b't'
                | b'T'
                | b'y'
                | b'Y'
                | b'o'
                | b'O'
                | b'f'
                | b'F'
                | b'.'
                | b'+'
                | b'-'
                | b'0'..=b'9'
        ) {
            return None;
        }
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Kind::Null),
        // kubectl reads manifests with YAML 1.1 booleans (sigs.k8s.io/yaml on go-yaml v2), so
        // `privileged: yes` is privileged; single-letter y/n are left as strings.
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Some(Kind::Bool(true))
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Some(Kind::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Kind::Number(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Kind::Number(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Kind::Number(f64::NAN)),
        _ => {}
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return parse_radix(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return parse_radix(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<f64>().ok().map(Kind::Number);
    }
    if is_core_float(digits) {
        return text.parse::<f64>().ok().map(Kind::Number);
    }
    None
}

fn parse_radix(digits: &str, radix: u32) -> Option<Kind> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mut n = 0f64;
    for c in digits.chars() {
        n = n * radix as f64 + c.to_digit(radix)? as f64;
    }
    Some(Kind::Number(n))
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?` without the sign.
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['-', '+']).unwrap_or(e);
            !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}
