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

/// Parses Bicep source. `None` only when tree-sitter gives up (it never does on text it
/// was given without a timeout, but the API allows it).
pub fn parse(text: &str) -> Option<Tree> {
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
