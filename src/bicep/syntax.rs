//! The tree-sitter Bicep parser (generated from `grammars/bicep/grammar.js`, compiled by
//! `build.rs`) and the first syntax error of a tree.

use tree_sitter::{Language, Node, Parser, Tree};

extern "C" {
    fn tree_sitter_bicep() -> *const ();
}

pub fn language() -> Language {
    // SAFETY: `tree_sitter_bicep` is the generated parser's entry point and returns a
    // pointer to its static language table, which is what `LanguageFn` wraps.
    let builder = unsafe { tree_sitter_language::LanguageFn::from_raw(tree_sitter_bicep) };
    Language::new(builder)
}

/// Tokens a Bicep file may have to be parsed. The syntax tree takes about 200 bytes of
/// memory per token, so 16 MiB of `1+1+…` would take 3 GB; the largest Bicep files in
/// public repositories have some 15,000.
pub const MAX_TOKENS: usize = 500_000;

/// Parses Bicep source. `None` when the file has more than [`MAX_TOKENS`] tokens (see
/// [`past_token_limit`]), or when tree-sitter gives up (it never does on text it was given
/// without a timeout, but the API allows it).
pub fn parse(text: &str) -> Option<Tree> {
    if past_token_limit(text).is_some() {
        return None;
    }
    let mut parser = Parser::new();
    parser.set_language(&language()).ok()?;
    parser.parse(text, None)
}

/// The first (in source order) error or missing node of the tree, if any.
pub fn first_error(tree: &Tree) -> Option<Node<'_>> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    // Iterative descent: deeply nested input must not overflow a 2 MiB stack.
    let mut node = root;
    'descend: loop {
        if node.is_missing() {
            return Some(node);
        }
        if node.is_error() {
            return Some(innermost_failure(node));
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.has_error() {
                node = child;
                continue 'descend;
            }
        }
        return Some(innermost_failure(node));
    }
}

/// An error node that spans lines holds what the parser skipped to recover; it gave up at
/// its last token, which is where the mistake usually is.
fn innermost_failure(error: Node<'_>) -> Node<'_> {
    if error.start_position().row == error.end_position().row {
        return error;
    }
    let mut node = error;
    while let Some(last) = node.child(node.child_count().saturating_sub(1)) {
        node = last;
    }
    node
}

/// The byte offset where the file passes [`MAX_TOKENS`] tokens, if it does. Counted the way
/// the tree grows: every word, number and punctuation character of the code (in string
/// interpolations too) is one, a string's literal text, a comment and white space none.
pub fn past_token_limit(text: &str) -> Option<usize> {
    match count_tokens(text, MAX_TOKENS) {
        (_, Some(at)) => Some(at),
        (tokens, None) => (tokens > MAX_TOKENS).then_some(text.len()),
    }
}

/// The tokens of `text` (see [`past_token_limit`]), at most [`MAX_TOKENS`] and one.
pub fn tokens(text: &str) -> usize {
    count_tokens(text, MAX_TOKENS).0.min(MAX_TOKENS + 1)
}

/// The tokens counted, and the byte offset where they passed `most` (if they did).
fn count_tokens(text: &str, most: usize) -> (usize, Option<usize>) {
    enum Mode {
        /// Code, with the `{` opened since it began (an interpolation ends at its `}`).
        Code(usize),
        String,
    }
    let bytes = text.as_bytes();
    let mut modes = vec![Mode::Code(0)];
    let mut tokens = 0usize;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        if tokens > most {
            return (tokens, Some(i));
        }
        let b = bytes[i];
        let rest = &bytes[i..];
        let interpolated = modes.len() > 1;
        match modes.last_mut() {
            Some(Mode::String) => {
                match b {
                    b'\\' => i += 1,
                    b'\'' => {
                        modes.pop();
                    }
                    b'$' if rest.starts_with(b"${") => {
                        modes.push(Mode::Code(0));
                        tokens += 1;
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(Mode::Code(braces)) => {
                let word = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
                if word {
                    if !in_word {
                        tokens += 1;
                    }
                    in_word = true;
                    i += 1;
                    continue;
                }
                in_word = false;
                match b {
                    b'/' if rest.starts_with(b"//") => {
                        i += rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                        continue;
                    }
                    b'/' if rest.starts_with(b"/*") => {
                        i += rest
                            .windows(2)
                            .skip(2)
                            .position(|w| w == b"*/")
                            .map_or(rest.len(), |at| at + 4);
                        continue;
                    }
                    b'\'' if rest.starts_with(b"\'\'\'") => {
                        tokens += 1;
                        i += rest[3..]
                            .windows(3)
                            .position(|w| w == b"\'\'\'")
                            .map_or(rest.len(), |at| at + 6);
                        continue;
                    }
                    b'\'' => {
                        tokens += 1;
                        modes.push(Mode::String);
                    }
                    b'{' => {
                        tokens += 1;
                        *braces += 1;
                    }
                    b'}' if *braces == 0 && interpolated => {
                        tokens += 1;
                        modes.pop();
                    }
                    b'}' => {
                        tokens += 1;
                        *braces = braces.saturating_sub(1);
                    }
                    c if c.is_ascii_whitespace() => {}
                    _ => tokens += 1,
                }
                i += 1;
            }
            None => break,
        }
    }
    (tokens, None)
}
