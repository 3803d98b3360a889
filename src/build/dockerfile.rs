//! Dockerfiles (and Containerfiles) → instructions with byte spans, then build stages.
//!
//! Written here rather than taken from a crate: the Dockerfile crates on crates.io either
//! keep no positions (dockerfile-parser-rs) or predate heredocs and the `# escape=`
//! directive (dockerfile-parser, pest-based, last released in 2021). The format is
//! line-based and small; what BuildKit's parser does that matters for linting is mirrored:
//! parser directives, line continuations with the escape character, comment and empty
//! lines inside continuations, heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per
//! instruction), exec (JSON) and shell forms, `--flag=value` options.

use crate::source::{FileId, Loc};
use std::collections::HashMap;

/// BuildKit's instruction set; any other keyword is a build error.
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose arguments may open heredocs.
const HEREDOC_KEYWORDS: &[&str] = &["RUN", "COPY", "ADD"];

/// Instructions that take `--name=value` options before their arguments.
const FLAG_KEYWORDS: &[&str] = &["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"];

/// One word of an instruction: its text with quotes removed, and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct Heredoc {
    pub name: String,
    /// The lines between the marker line and the delimiter, as written.
    pub body: String,
    /// Byte offset of the body in the file.
    pub body_start: usize,
}

#[derive(Clone, Debug)]
pub struct Instruction {
    /// Upper-case keyword.
    pub keyword: &'static str,
    pub keyword_loc: Loc,
    /// From the keyword to the end of its last line (continuations and heredocs included).
    pub at: Loc,
    /// `--name=value` options (`--platform`, `--from`, `--checksum`, `--mount`).
    pub flags: Vec<Word>,
    /// The arguments: shell words, or the strings of the exec (JSON) form.
    pub args: Vec<Word>,
    pub exec_form: bool,
    /// The arguments after the options as one line (continuations joined), for shell
    /// commands; `map` turns an offset in it back into a file offset.
    pub text: String,
    map: Vec<(usize, usize)>,
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The file span of `start..end` in `text`.
    pub fn loc_in_text(&self, start: usize, end: usize) -> Loc {
        Loc::new(self.at.file, self.file_offset(start), self.file_offset(end))
    }

    fn file_offset(&self, logical: usize) -> usize {
        let i = self.map.partition_point(|&(l, _)| l <= logical);
        match i.checked_sub(1).and_then(|i| self.map.get(i)) {
            Some(&(l, f)) => f + (logical - l),
            None => self.at.start as usize,
        }
    }

    /// The value of option `--name` (`--from=build` → `build`).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().find_map(|w| {
            let rest = w.text.strip_prefix("--")?;
            let (key, value) = rest.split_once('=').unwrap_or((rest, ""));
            key.eq_ignore_ascii_case(name).then_some(value)
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DockerError {
    pub loc: Loc,
    pub message: String,
}

/// What a stage is built on.
#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    /// `FROM scratch`: an empty file system, not a registry image.
    Scratch,
    /// `FROM build`: an earlier stage (its index).
    Stage(usize),
    /// A registry image reference, `ARG` defaults substituted.
    Image(String),
    /// The reference depends on a build argument without a default (`--build-arg`).
    Unknown(String),
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub index: usize,
    /// The `AS` name, lower-case as BuildKit compares it.
    pub name: Option<String>,
    /// The `FROM` instruction (index into `instructions`).
    pub from: usize,
    pub base: Base,
    /// The image word of `FROM`.
    pub image: Option<Word>,
    /// The global `ARG` whose default the image came from: (its `ARG` line, name).
    pub via_arg: Option<(Loc, String)>,
    /// The instructions of the stage: `from + 1 .. end`.
    pub end: usize,
    /// `Dockerfile:<path>#<name or index>`.
    pub address: String,
}

#[derive(Clone, Debug)]
pub struct Dockerfile {
    pub file: FileId,
    pub zone: usize,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        &self.instructions[stage.from + 1..stage.end]
    }

    /// The last stage: what `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }
}

/// Lines of a file with their byte offsets, without line terminators.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push((offset, line));
        offset += raw.len();
    }
    out
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `# name=value` before the first instruction, comment or empty line.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?;
    let (name, value) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((name.to_ascii_lowercase(), value.trim().to_string()))
}

/// The instructions of a Dockerfile and the problems BuildKit would stop on. Parsing goes
/// on after a problem.
pub fn parse(file: FileId, text: &str) -> (Vec<Instruction>, Vec<DockerError>) {
    // A byte-order mark is not part of the first instruction; offsets stay the file's.
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let lines: Vec<(usize, &str)> = lines(&text[skip..])
        .into_iter()
        .map(|(o, l)| (o + skip, l))
        .collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives.
    while let Some(&(_, line)) = lines.get(i) {
        match directive(line) {
            Some((name, value)) => {
                if name == "escape" && value == "`" {
                    escape = '`';
                }
                i += 1;
            }
            None => break,
        }
    }
    let mut instructions = Vec::new();
    let mut errors = Vec::new();
    while i < lines.len() {
        let (offset, line) = lines[i];
        i += 1;
        if line.trim().is_empty() || is_comment(line) {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let start = offset + indent;
        // Join continuation lines into one logical line, remembering where each piece lies.
        let mut logical = String::new();
        let mut map = Vec::new();
        let mut end = offset + line.len();
        let mut piece = (start, &line[indent..]);
        loop {
            let (piece_offset, content) = piece;
            let trimmed = content.trim_end_matches([' ', '\t']);
            let continued = trimmed.ends_with(escape);
            let kept = if continued {
                &trimmed[..trimmed.len() - escape.len_utf8()]
            } else {
                content
            };
            map.push((logical.len(), piece_offset));
            logical.push_str(kept);
            if !continued {
                break;
            }
            // Comment and empty lines inside a continuation are dropped, as BuildKit does.
            let mut next = None;
            while i < lines.len() {
                let (o, l) = lines[i];
                i += 1;
                if is_comment(l) || l.trim().is_empty() {
                    continue;
                }
                next = Some((o, l));
                break;
            }
            match next {
                Some((o, l)) => {
                    end = o + l.len();
                    piece = (o, l);
                }
                None => break,
            }
        }
        let keyword_len = logical
            .find(|c: char| c.is_whitespace())
            .unwrap_or(logical.len());
        let keyword_loc = Loc::new(file, start, start + keyword_len);
        let Some(keyword) = KEYWORDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&logical[..keyword_len]))
            .copied()
        else {
            errors.push(DockerError {
                loc: keyword_loc,
                message: format!(
                    "unknown instruction `{}`",
                    crate::build::printable(&logical[..keyword_len])
                ),
            });
            continue;
        };
        let mut instruction = Instruction {
            keyword,
            keyword_loc,
            at: Loc::new(file, start, end),
            flags: Vec::new(),
            args: Vec::new(),
            exec_form: false,
            text: String::new(),
            map: Vec::new(),
            heredocs: Vec::new(),
        };
        let mut rest_start = keyword_len;
        // `--name=value` options come first.
        if FLAG_KEYWORDS.contains(&instruction.keyword) {
            loop {
                let word_start = rest_start
                    + logical[rest_start..]
                        .find(|c: char| !c.is_whitespace())
                        .unwrap_or(logical.len() - rest_start);
                if !logical[word_start..].starts_with("--") {
                    break;
                }
                let (words, used) = shell_words(&logical[word_start..], escape, true);
                let Some((text, s, e)) = words.into_iter().next() else {
                    break;
                };
                let loc = Loc::new(
                    file,
                    offset_in(&map, word_start + s, start),
                    offset_in(&map, word_start + e, start),
                );
                instruction.flags.push(Word { text, loc });
                rest_start = word_start + used;
            }
        }
        let args_start = rest_start
            + logical[rest_start..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(logical.len() - rest_start);
        let args = logical[args_start..].to_string();
        instruction.map = map
            .iter()
            .filter_map(|&(l, f)| {
                if l >= args_start {
                    Some((l - args_start, f))
                } else {
                    None
                }
            })
            .collect();
        // The piece the arguments start in.
        let first = map
            .iter()
            .rev()
            .find(|&&(l, _)| l <= args_start)
            .map(|&(l, f)| f + (args_start - l))
            .unwrap_or(start);
        instruction.map.insert(0, (0, first));
        instruction.map.dedup_by_key(|m| m.0);
        let exec = args
            .trim_start()
            .starts_with('[')
            .then(|| exec_words(&args))
            .flatten();
        match exec {
            Some(words) => {
                instruction.exec_form = true;
                instruction.args = words
                    .into_iter()
                    .map(|(text, s, e)| Word {
                        text,
                        loc: instruction.loc_in_text(s, e),
                    })
                    .collect();
            }
            None => {
                let (words, _) = shell_words(&args, escape, false);
                instruction.args = words
                    .into_iter()
                    .map(|(text, s, e)| Word {
                        text,
                        loc: instruction.loc_in_text(s, e),
                    })
                    .collect();
            }
        }
        instruction.text = args;
        if HEREDOC_KEYWORDS.contains(&instruction.keyword) && !instruction.exec_form {
            for (name, strip_tabs, s, e) in heredoc_markers(&instruction.text) {
                let mut body = String::new();
                let body_start = lines.get(i).map_or(text.len(), |&(o, _)| o);
                let mut closed = false;
                while i < lines.len() {
                    let (o, l) = lines[i];
                    i += 1;
                    let candidate = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if candidate == name {
                        closed = true;
                        instruction.at.end = (o + l.len()) as u32;
                        break;
                    }
                    // The body as written, line terminators normalised.
                    body.push_str(l);
                    body.push('\n');
                    instruction.at.end = (o + l.len()) as u32;
                }
                if !closed {
                    // The file ends here: later markers of the line cannot close either.
                    errors.push(DockerError {
                        loc: instruction.loc_in_text(s, e),
                        message: format!(
                            "the heredoc `{}` is never closed: a line holding only `{}` must end it",
                            crate::build::printable(&name),
                            crate::build::printable(&name)
                        ),
                    });
                }
                instruction.heredocs.push(Heredoc {
                    name,
                    body,
                    body_start,
                });
                if !closed {
                    break;
                }
            }
        }
        // Only shell commands are read from the joined line; the rest keep their words.
        if !matches!(keyword, "RUN" | "CMD" | "ENTRYPOINT" | "COPY" | "ADD") {
            instruction.text = String::new();
            instruction.map = Vec::new();
        }
        instructions.push(instruction);
    }
    (instructions, errors)
}

fn offset_in(map: &[(usize, usize)], logical: usize, fallback: usize) -> usize {
    let i = map.partition_point(|&(l, _)| l <= logical);
    match i.checked_sub(1).and_then(|i| map.get(i)) {
        Some(&(l, f)) => f + (logical - l),
        None => fallback,
    }
}

/// Words of a shell-form argument line with quotes removed: (text, start, end) in `line`,
/// and how many bytes were read. `one`: stop after the first word.
fn shell_words(line: &str, escape: char, one: bool) -> (Vec<(String, usize, usize)>, usize) {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut current: Option<(String, usize)> = None;
    let mut end = 0;
    while let Some((at, c)) = chars.next() {
        end = at + c.len_utf8();
        if c.is_whitespace() {
            if let Some((text, s)) = current.take() {
                words.push((text, s, at));
                if one {
                    return (words, at);
                }
            }
            continue;
        }
        let word = current.get_or_insert_with(|| (String::new(), at));
        match c {
            '"' | '\'' => {
                let quote = c;
                let mut closed = false;
                while let Some((q, d)) = chars.next() {
                    end = q + d.len_utf8();
                    if d == quote {
                        closed = true;
                        break;
                    }
                    if quote == '"' && d == escape {
                        if let Some(&(_, n)) = chars.peek() {
                            if n == '"' || n == escape || n == '$' {
                                word.0.push(n);
                                chars.next();
                                end += n.len_utf8();
                                continue;
                            }
                        }
                    }
                    word.0.push(d);
                }
                if !closed {
                    break;
                }
            }
            c if c == escape => {
                if let Some((q, n)) = chars.next() {
                    end = q + n.len_utf8();
                    word.0.push(n);
                }
            }
            c => word.0.push(c),
        }
    }
    if let Some((text, s)) = current {
        words.push((text, s, end));
    }
    (words, end)
}

/// The strings of an exec-form argument (`["sh", "-c", "x"]`) with their spans; None when
/// it is not a JSON array of strings (BuildKit then reads it as shell form).
fn exec_words(args: &str) -> Option<Vec<(String, usize, usize)>> {
    let trimmed = args.trim_end();
    let parsed: Vec<String> = serde_json::from_str(trimmed).ok()?;
    let mut out = Vec::with_capacity(parsed.len());
    let bytes = trimmed.as_bytes();
    let mut at = 0;
    for text in parsed {
        // The next string literal in the array.
        let start = at + trimmed[at..].find('"')?;
        let mut end = start + 1;
        while end < bytes.len() {
            match bytes[end] {
                b'\\' => end += 2,
                b'"' => break,
                _ => end += 1,
            }
        }
        let end = (end + 1).min(bytes.len());
        out.push((text, start, end));
        at = end;
    }
    Some(out)
}

/// Heredoc markers of an instruction line: (delimiter, `<<-`, start, end). `<<<` is a
/// here-string, not a heredoc.
fn heredoc_markers(line: &str) -> Vec<(String, bool, usize, usize)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(found) = line[i..].find("<<") {
        let start = i + found;
        let mut j = start + 2;
        if bytes.get(j) == Some(&b'<') {
            i = j + 1;
            while bytes.get(i) == Some(&b'<') {
                i += 1;
            }
            continue;
        }
        let strip_tabs = bytes.get(j) == Some(&b'-');
        if strip_tabs {
            j += 1;
        }
        let quote = match bytes.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                j += 1;
                Some(q)
            }
            _ => None,
        };
        let name_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        let name = &line[name_start..j];
        if let Some(q) = quote {
            if bytes.get(j) != Some(&q) {
                i = j.max(start + 2);
                continue;
            }
            j += 1;
        }
        if !name.is_empty() {
            out.push((name.to_string(), strip_tabs, start, j));
        }
        i = j.max(start + 2);
    }
    out
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alternative}` in `text`, from
/// `args` (name → default; `None`: declared without a default). None when a variable has no
/// known value; also returns the first variable used.
pub fn substitute(
    text: &str,
    args: &HashMap<String, Option<String>>,
) -> (Option<String>, Option<String>) {
    let mut out = String::new();
    let mut used = None;
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, modifier, consumed) = if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                return (None, used);
            };
            let body = &inner[..close];
            let (name, modifier) = match body.find(':') {
                Some(c) => (&body[..c], Some(&body[c + 1..])),
                None => (body, None),
            };
            (name, modifier, close + 2)
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..len], None, len)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        used.get_or_insert_with(|| name.to_string());
        let value = args.get(name).cloned().flatten();
        match modifier {
            Some(m) if m.starts_with('-') => match value {
                Some(v) if !v.is_empty() => out.push_str(&v),
                // An argument declared without default may still be passed: unknown.
                _ if args.contains_key(name) && value.is_none() => return (None, used),
                _ => out.push_str(&m[1..]),
            },
            Some(m) if m.starts_with('+') => match value {
                Some(v) if !v.is_empty() => out.push_str(&m[1..]),
                Some(_) => {}
                None => return (None, used),
            },
            _ => match value {
                Some(v) => out.push_str(&v),
                None => return (None, used),
            },
        }
        rest = &after[consumed.min(after.len())..];
    }
    out.push_str(rest);
    (Some(out), used)
}

/// The stages of a parsed Dockerfile; `path` is the file as reports show it.
pub fn stages(instructions: &[Instruction], path: &str) -> Vec<Stage> {
    let mut global: HashMap<String, Option<String>> = HashMap::new();
    let mut global_at: HashMap<String, Loc> = HashMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    // Stage names, looked up for every FROM: an index keeps huge files linear.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (index, instruction) in instructions.iter().enumerate() {
        match instruction.keyword {
            "ARG" if stages.is_empty() => {
                for word in &instruction.args {
                    let (name, value) = match word.text.split_once('=') {
                        Some((n, v)) => (n.to_string(), Some(v.to_string())),
                        None => (word.text.clone(), None),
                    };
                    global_at.insert(name.clone(), instruction.at);
                    global.insert(name, value);
                }
            }
            "FROM" => {
                if let Some(last) = stages.last_mut() {
                    last.end = index;
                }
                let image = instruction.args.first().cloned();
                let name = match instruction.args.get(1..3) {
                    Some([as_word, name]) if as_word.text.eq_ignore_ascii_case("as") => {
                        Some(name.text.to_ascii_lowercase())
                    }
                    _ => None,
                };
                let (resolved, used) = match &image {
                    Some(w) => substitute(&w.text, &global),
                    None => (None, None),
                };
                let via_arg = used.and_then(|n| global_at.get(&n).map(|loc| (*loc, n.clone())));
                let base = match resolved {
                    None => Base::Unknown(image.as_ref().map_or(String::new(), |w| w.text.clone())),
                    Some(r) if r.eq_ignore_ascii_case("scratch") => Base::Scratch,
                    Some(r) => {
                        let lower = r.to_ascii_lowercase();
                        match by_name.get(&lower) {
                            Some(&s) => Base::Stage(s),
                            None if r.is_empty() => Base::Unknown(r),
                            None => Base::Image(r),
                        }
                    }
                };
                let stage_index = stages.len();
                if let Some(n) = &name {
                    by_name.entry(n.clone()).or_insert(stage_index);
                }
                let label = name.clone().unwrap_or_else(|| stage_index.to_string());
                stages.push(Stage {
                    index: stage_index,
                    name,
                    from: index,
                    base,
                    image,
                    via_arg,
                    end: instructions.len(),
                    address: format!("Dockerfile:{path}#{label}"),
                });
            }
            _ => {}
        }
    }
    stages
}

/// The parts of an image reference (`localhost:5000/web:1.0@sha256:ab`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageReference<'a> {
    /// With the registry: `localhost:5000/web`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// An image reference split into its repository (with registry), tag and digest.
pub fn split_reference(reference: &str) -> ImageReference<'_> {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(colon) => {
            let colon = last_slash + colon;
            (&name[..colon], Some(&name[colon + 1..]))
        }
        None => (name, None),
    };
    ImageReference {
        repository,
        tag,
        digest,
    }
}

/// The registry host of an image reference; a bare `nginx` or `library/nginx` is Docker Hub.
pub fn registry_host(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    match without_digest.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first.to_ascii_lowercase()
        }
        _ => "docker.io".to_string(),
    }
}

/// `ubuntu:22.04` → `docker.io/library/ubuntu:22.04`; digests dropped.
pub fn qualified(reference: &str) -> String {
    let ImageReference {
        repository, tag, ..
    } = split_reference(reference);
    let host = registry_host(repository);
    let mut out = if repository.to_ascii_lowercase().starts_with(&host) && repository.contains('/')
    {
        repository.to_string()
    } else if repository.contains('/') {
        format!("docker.io/{repository}")
    } else {
        format!("docker.io/library/{repository}")
    };
    if let Some(tag) = tag {
        out.push(':');
        out.push_str(tag);
    }
    out.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<Instruction> {
        let (instructions, errors) = parse(0, text);
        assert!(errors.is_empty(), "{errors:?}");
        instructions
    }

    fn at(text: &str, loc: Loc) -> &str {
        &text[loc.start as usize..loc.end as usize]
    }

    #[test]
    fn continuations_comments_and_spans() {
        let text = "FROM alpine:3.20 AS build\n# note\nRUN apk add \\\n# dropped\n    curl \\\n\n    git\nUSER app\n";
        let all = parsed(text);
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].keyword, "RUN");
        let words: Vec<&str> = all[1].args.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["apk", "add", "curl", "git"]);
        assert_eq!(at(text, all[1].args[2].loc), "curl");
        assert_eq!(at(text, all[1].args[3].loc), "git");
        assert_eq!(at(text, all[0].args[0].loc), "alpine:3.20");
        assert_eq!(at(text, all[2].at), "USER app");
    }

    #[test]
    fn escape_directive_and_flags() {
        let text = "# escape=`\nFROM --platform=$BUILDPLATFORM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\nCOPY --from=build --chown=app C:\\app /app\n";
        let all = parsed(text);
        assert_eq!(all[0].flag("platform"), Some("$BUILDPLATFORM"));
        assert_eq!(
            all[0].args[0].text,
            "mcr.microsoft.com/windows/servercore:ltsc2022"
        );
        let words: Vec<&str> = all[1].args.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["dir", "c:\\"]);
        assert_eq!(all[2].flag("from"), Some("build"));
        assert_eq!(at(text, all[2].args[0].loc), "C:\\app");
    }

    #[test]
    fn heredocs_and_exec_form() {
        let text = "FROM x\nRUN <<EOF bash\ncurl -fsSL https://x | sh\nEOF\nRUN <<-\"A\" cat && <<B cat\n\tone\n\tA\ntwo\nB\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n";
        let all = parsed(text);
        assert_eq!(all.len(), 4);
        assert_eq!(all[1].heredocs[0].body, "curl -fsSL https://x | sh\n");
        assert_eq!(&text[all[1].heredocs[0].body_start..][..4], "curl");
        assert_eq!(all[2].heredocs.len(), 2);
        assert_eq!(all[2].heredocs[1].body, "two\n");
        assert!(all[3].exec_form);
        assert_eq!(at(text, all[3].args[0].loc), "\"/usr/sbin/sshd\"");
        let (_, errors) = parse(0, "FROM x\nRUN <<EOF\nnever closed\n");
        assert_eq!(errors.len(), 1);
        let (_, errors) = parse(0, "FORM x\n");
        assert_eq!(errors[0].message, "unknown instruction `FORM`");
    }

    #[test]
    fn stages_resolve_args_and_references() {
        let text = "ARG BASE=mcr.microsoft.com/dotnet/sdk:8.0\nARG TAG\nFROM ${BASE} AS Build\nFROM build AS final\nFROM scratch\nFROM alpine:${TAG}\nFROM ${MISSING:-ubuntu}\n";
        let all = parsed(text);
        let s = stages(&all, "app/Dockerfile");
        assert_eq!(
            s[0].base,
            Base::Image("mcr.microsoft.com/dotnet/sdk:8.0".into())
        );
        assert_eq!(s[0].via_arg.as_ref().map(|v| v.1.as_str()), Some("BASE"));
        assert_eq!(s[0].address, "Dockerfile:app/Dockerfile#build");
        assert_eq!(s[1].base, Base::Stage(0));
        assert_eq!(s[2].base, Base::Scratch);
        assert_eq!(s[2].address, "Dockerfile:app/Dockerfile#2");
        assert!(matches!(s[3].base, Base::Unknown(_)));
        assert_eq!(s[4].base, Base::Image("ubuntu".into()));
    }

    #[test]
    fn references() {
        assert_eq!(
            split_reference("localhost:5000/web:1.0@sha256:ab"),
            ImageReference {
                repository: "localhost:5000/web",
                tag: Some("1.0"),
                digest: Some("sha256:ab")
            }
        );
        let bare = split_reference("ubuntu");
        assert_eq!(
            (bare.repository, bare.tag, bare.digest),
            ("ubuntu", None, None)
        );
        assert_eq!(qualified("ubuntu:22.04"), "docker.io/library/ubuntu:22.04");
        assert_eq!(qualified("bitnami/nginx"), "docker.io/bitnami/nginx");
        assert_eq!(
            qualified("mcr.microsoft.com/dotnet/runtime:8.0-jammy-chiseled"),
            "mcr.microsoft.com/dotnet/runtime:8.0-jammy-chiseled"
        );
    }
}
