//! The top-level modules of src/ form a layered graph: when `crate::a` uses `crate::b`, nothing in
//! `b` reaches back to `a`, directly or through other modules. A cycle means neither side can be
//! understood, tested or changed without the other, so this test reads every src/**/*.rs, builds
//! the graph from the paths it names (`crate::x`, `use crate::{x, y}`, and `super::` that climbs
//! to the crate root), and fails naming each cycle with the file and line of every edge in it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Edges kept on purpose, each with its reason. Every entry must still exist (a stale entry
/// fails), so the list only ever shrinks.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// Where a dependency was seen: the file (relative to the repository) and its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Site {
    file: String,
    line: usize,
}

/// A token's text and its 1-based line.
type Token = (String, usize);

/// from → to → the first place `from` names `to`.
type Graph = BTreeMap<String, BTreeMap<String, Site>>;

#[test]
fn no_cycle_between_top_level_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut graph = graph_of(&root.join("src"), root);
    assert!(
        graph.len() > 10 && graph.values().map(BTreeMap::len).sum::<usize>() > 20,
        "the dependency graph of src/ came out nearly empty: {graph:?}"
    );
    let mut stale = Vec::new();
    for (from, to, reason) in ALLOWED {
        assert!(
            !reason.is_empty(),
            "{from} -> {to} is allowed without a reason"
        );
        if graph
            .get_mut(*from)
            .and_then(|edges| edges.remove(*to))
            .is_none()
        {
            stale.push(format!("{from} -> {to}"));
        }
    }
    assert!(
        stale.is_empty(),
        "ALLOWED lists edges that no longer exist; remove them: {stale:?}"
    );
    let cycles = cycles_of(&graph);
    assert!(cycles.is_empty(), "{}", describe(&graph, &cycles));
}

/// Every top-level module of src/ (a `src/x.rs` or `src/x/` directory) with what it names.
fn graph_of(src: &Path, root: &Path) -> Graph {
    let files: Vec<(PathBuf, Vec<Token>)> = rust_files(src)
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("src/ file is readable");
            let tokens = tokens(&text);
            (file, tokens)
        })
        .collect();
    // Files of `#[cfg(test)] mod name;` (name.rs or name/ beside or below the declaring file).
    let mut test_only: Vec<PathBuf> = Vec::new();
    for (file, tokens) in &files {
        let dir = match file.file_stem().and_then(|s| s.to_str()) {
            Some("mod" | "lib" | "main") => file.parent().expect("in src/").to_path_buf(),
            _ => file.with_extension(""),
        };
        test_only.extend(code_of(tokens).1.iter().map(|name| dir.join(name)));
    }
    let mut graph = Graph::new();
    for (file, tokens) in &files {
        let relative = file.strip_prefix(src).expect("under src/");
        let Some((top, depth)) = module_of(relative) else {
            continue; // lib.rs and main.rs are the crate roots, not modules of it
        };
        let edges = graph.entry(top.clone()).or_default();
        if test_only
            .iter()
            .any(|module| file.with_extension("") == *module || file.starts_with(module))
        {
            continue;
        }
        let shown = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (to, line) in dependencies(&code_of(tokens).0, depth) {
            if to != top {
                edges.entry(to).or_insert(Site {
                    file: shown.clone(),
                    line,
                });
            }
        }
    }
    // Only edges to modules that exist: `crate::` followed by a macro or a root item is not one.
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|to, _| modules.contains(to));
    }
    graph
}

/// The tokens of a file without its `#[cfg(test)]` items, and the names of the `#[cfg(test)]
/// mod name;` it declares. Test code is left out: a unit test may drive its module through
/// the whole scan without the module depending on the scan.
fn code_of(tokens: &[Token]) -> (Vec<Token>, Vec<String>) {
    const CFG_TEST: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut code = Vec::with_capacity(tokens.len());
    let mut test_modules = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        let is_cfg_test = tokens.len() - at >= CFG_TEST.len()
            && CFG_TEST
                .iter()
                .zip(&tokens[at..])
                .all(|(expected, token)| token.0 == *expected);
        if !is_cfg_test {
            code.push(tokens[at].clone());
            at += 1;
            continue;
        }
        at += CFG_TEST.len();
        // Further attributes of the same item.
        while tokens.get(at).is_some_and(|t| t.0 == "#") {
            let mut nesting = 0usize;
            at += 1;
            while let Some(token) = tokens.get(at) {
                at += 1;
                match token.0.as_str() {
                    "[" => nesting += 1,
                    "]" if nesting <= 1 => break,
                    "]" => nesting -= 1,
                    _ => {}
                }
            }
        }
        // The item: to its `;`, or to the brace that closes its first `{`.
        let mut item: Vec<&str> = Vec::new();
        let mut nesting = 0usize;
        let mut declaration = false;
        while let Some(token) = tokens.get(at) {
            at += 1;
            match token.0.as_str() {
                ";" if nesting == 0 => {
                    declaration = true;
                    break;
                }
                "{" => nesting += 1,
                "}" if nesting <= 1 => break,
                "}" => nesting -= 1,
                text if nesting == 0 => item.push(text),
                _ => {}
            }
        }
        if let (true, Some(position)) = (declaration, item.iter().position(|t| *t == "mod")) {
            if let Some(name) = item
                .get(position + 1)
                .filter(|_| item.len() == position + 2)
            {
                test_modules.push(name.to_string());
            }
        }
    }
    (code, test_modules)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The top-level module a file belongs to and how deep the file's module is below the crate root
/// (`x.rs` and `x/mod.rs` are 1, `x/y.rs` is 2).
fn module_of(relative: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let (last, dirs) = parts.split_last()?;
    let stem = last.strip_suffix(".rs")?;
    if dirs.is_empty() {
        return match stem {
            "lib" | "main" => None,
            _ => Some((stem.to_string(), 1)),
        };
    }
    let depth = dirs.len() + usize::from(stem != "mod");
    Some((dirs[0].clone(), depth))
}

/// The top-level modules a file's code names, each with the line it is first named on. `depth` is
/// the file's module depth; `super::` that climbs to the crate root names a top-level module.
fn dependencies(tokens: &[Token], depth: usize) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    // Brace depths at which inline `mod name {` blocks opened: each adds a level for `super::`.
    let mut inline_modules: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut index = 0;
    while index < tokens.len() {
        let (token, line) = (&tokens[index].0, tokens[index].1);
        match token.as_str() {
            "{" => {
                let opens_module = index >= 2
                    && tokens[index - 2].0 == "mod"
                    && is_identifier(&tokens[index - 1].0);
                braces += 1;
                if opens_module {
                    inline_modules.push(braces);
                }
            }
            "}" => {
                if inline_modules.last() == Some(&braces) {
                    inline_modules.pop();
                }
                braces = braces.saturating_sub(1);
            }
            "crate" if tokens.get(index + 1).is_some_and(|next| next.0 == "::") => {
                let preceded_by_dollar = index > 0 && tokens[index - 1].0 == "$";
                if !preceded_by_dollar {
                    top_segments(tokens, index + 2, line, &mut found);
                }
            }
            "super" if index == 0 || tokens[index - 1].0 != "::" => {
                let mut climbs = 0;
                let mut at = index;
                while tokens.get(at).is_some_and(|t| t.0 == "super")
                    && tokens.get(at + 1).is_some_and(|t| t.0 == "::")
                {
                    climbs += 1;
                    at += 2;
                }
                if climbs > 0 && climbs >= depth + inline_modules.len() {
                    top_segments(tokens, at, line, &mut found);
                }
            }
            _ => {}
        }
        index += 1;
    }
    found
}

/// The first segment of the path at `at` (`x` in `x::y`), or of each item of a `{x, y::z}` group.
fn top_segments(tokens: &[Token], at: usize, line: usize, found: &mut Vec<(String, usize)>) {
    let Some((first, first_line)) = tokens.get(at) else {
        return;
    };
    if first != "{" {
        if is_identifier(first) {
            found.push((first.clone(), line));
        }
        return;
    }
    let mut nesting = 0usize;
    let mut expect_item = true;
    for (token, token_line) in &tokens[at + 1..] {
        match token.as_str() {
            "{" => nesting += 1,
            "}" if nesting == 0 => return,
            "}" => nesting -= 1,
            "," if nesting == 0 => expect_item = true,
            _ if expect_item && nesting == 0 && is_identifier(token) => {
                found.push((token.clone(), (*token_line).max(*first_line)));
                expect_item = false;
            }
            _ => expect_item = false,
        }
    }
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::` and single punctuation characters with their 1-based line; comments, string,
/// byte-string, raw-string and character literals are dropped so text in them names nothing.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut at = 0;
    let count_lines =
        |from: usize, to: usize| chars[from..to].iter().filter(|&&c| c == '\n').count();
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        if c == '\n' {
            line += 1;
            at += 1;
        } else if c.is_whitespace() {
            at += 1;
        } else if c == '/' && next == Some('/') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c == '/' && next == Some('*') {
            let start = at;
            let mut nesting = 0usize;
            while at < chars.len() {
                if chars[at] == '/' && chars.get(at + 1) == Some(&'*') {
                    nesting += 1;
                    at += 2;
                } else if chars[at] == '*' && chars.get(at + 1) == Some(&'/') {
                    nesting -= 1;
                    at += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    at += 1;
                }
            }
            line += count_lines(start, at.min(chars.len()));
        } else if let Some(end) = raw_string_end(&chars, at) {
            line += count_lines(at, end);
            at = end;
        } else if c == '"' || (c == 'b' && next == Some('"')) {
            let start = at;
            at += if c == 'b' { 2 } else { 1 };
            while at < chars.len() && chars[at] != '"' {
                at += if chars[at] == '\\' { 2 } else { 1 };
            }
            at += 1;
            line += count_lines(start, at.min(chars.len()));
        } else if c == '\'' || (c == 'b' && next == Some('\'')) {
            // A character literal ('x', '\n', b'x'); a lifetime ('a) has no closing quote.
            let quote = if c == 'b' { at + 1 } else { at };
            if chars.get(quote + 1) == Some(&'\\') {
                at = quote + 3;
                while at < chars.len() && chars[at] != '\'' {
                    at += 1;
                }
                at += 1;
            } else if chars.get(quote + 2) == Some(&'\'') {
                at = quote + 3;
            } else if c == 'b' {
                tokens.push(("b".to_string(), line));
                at += 1;
            } else {
                at += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = at;
            while at < chars.len() && (chars[at].is_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            tokens.push((chars[start..at].iter().collect(), line));
        } else if c == ':' && next == Some(':') {
            tokens.push(("::".to_string(), line));
            at += 2;
        } else {
            tokens.push((c.to_string(), line));
            at += 1;
        }
    }
    tokens
}

/// Where a raw string starting at `at` (`r"…"`, `r#"…"#`, `br##"…"##`) ends, if one does.
fn raw_string_end(chars: &[char], at: usize) -> Option<usize> {
    if at > 0 && (chars[at - 1].is_alphanumeric() || chars[at - 1] == '_') {
        return None;
    }
    let mut cursor = at;
    if chars.get(cursor) == Some(&'b') {
        cursor += 1;
    }
    if chars.get(cursor) != Some(&'r') {
        return None;
    }
    cursor += 1;
    let mut hashes = 0;
    while chars.get(cursor) == Some(&'#') {
        hashes += 1;
        cursor += 1;
    }
    if chars.get(cursor) != Some(&'"') {
        return None;
    }
    cursor += 1;
    while cursor < chars.len() {
        if chars[cursor] == '"'
            && (1..=hashes).all(|offset| chars.get(cursor + offset) == Some(&'#'))
        {
            return Some(cursor + 1 + hashes);
        }
        cursor += 1;
    }
    Some(chars.len())
}

/// Each strongly connected component with more than one module: one cycle through it, and all
/// its modules (every one of them reaches every other).
fn cycles_of(graph: &Graph) -> Vec<(Vec<String>, BTreeSet<String>)> {
    let modules: Vec<&String> = graph.keys().collect();
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.to_string()];
        while let Some(module) = pending.pop() {
            for to in graph.get(&module).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(to.clone()) {
                    pending.push(to.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        modules.iter().map(|m| (*m, reaches(m))).collect();
    let mut placed = BTreeSet::new();
    let mut cycles = Vec::new();
    for module in &modules {
        if placed.contains(*module) || !reach[module].contains(*module) {
            continue;
        }
        let component: BTreeSet<String> = reach[module]
            .iter()
            .filter(|other| reach[other].contains(*module))
            .cloned()
            .collect();
        placed.extend(component.iter().cloned());
        cycles.push((cycle_within(graph, module, &component), component));
    }
    cycles
}

/// A shortest path from `start` back to itself through `component` (breadth first).
fn cycle_within(graph: &Graph, start: &str, component: &BTreeSet<String>) -> Vec<String> {
    let mut came_from: BTreeMap<String, String> = BTreeMap::new();
    let mut frontier = vec![start.to_string()];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for module in frontier {
            for to in graph[&module].keys().filter(|to| component.contains(*to)) {
                if to == start {
                    let mut cycle = vec![module.clone()];
                    while let Some(previous) = came_from.get(cycle.last().unwrap()) {
                        cycle.push(previous.clone());
                    }
                    cycle.reverse();
                    cycle.push(start.to_string());
                    return cycle;
                }
                if !came_from.contains_key(to) {
                    came_from.insert(to.clone(), module.clone());
                    next.push(to.clone());
                }
            }
        }
        frontier = next;
    }
    unreachable!("{start} is in a cycle")
}

fn describe(graph: &Graph, cycles: &[(Vec<String>, BTreeSet<String>)]) -> String {
    let mut text = format!(
        "{} cycle(s) between top-level modules of src/ (break them, or allow an edge in \
         ALLOWED with its reason):\n",
        cycles.len()
    );
    for (cycle, component) in cycles {
        let _ = writeln!(text, "  {}", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            let site = &graph[&pair[0]][&pair[1]];
            let _ = writeln!(
                text,
                "    {} -> {}: {}:{}",
                pair[0], pair[1], site.file, site.line
            );
        }
        if component.len() > 2 {
            let _ = writeln!(text, "    every edge between its modules:");
            for from in component {
                for (to, site) in graph[from].iter().filter(|(to, _)| component.contains(*to)) {
                    let _ = writeln!(text, "      {from} -> {to}: {}:{}", site.file, site.line);
                }
            }
        }
    }
    text
}

#[test]
fn paths_in_code_are_read_and_text_is_not() {
    let text = r####"
        use crate::{engine, finding::{Finding, Span}};
        // crate::comment::Ignored
        /* crate::block /* nested crate::inner */ crate::still */
        fn f() { let _ = "crate::string"; let _ = r#"crate::raw"#; let _ = 'c'; }
        fn g<'a>(x: &'a str) -> crate::value::Value { crate::model::build(x) }
        macro_rules! m { () => { $crate::hidden::Item } }
        use super::sibling;
        mod inner { use super::*; use super::super::deep::Item; }
        #[cfg(test)]
        mod tests { use crate::engine::lint; }
        #[cfg(test)]
        #[allow(unused)]
        fn only_in_tests() -> crate::report::Html { crate::report::html() }
        #[cfg(test)]
        mod fixtures;
        use crate::after::Tests;
    "####;
    let names = dependencies(&code_of(&tokens(text)).0, 1);
    let names: Vec<(&str, usize)> = names.iter().map(|(n, l)| (n.as_str(), *l)).collect();
    assert_eq!(
        names,
        [
            ("engine", 2),
            ("finding", 2),
            ("value", 6),
            ("model", 6),
            ("sibling", 8),
            ("deep", 9),
            ("after", 17)
        ]
    );
    assert_eq!(code_of(&tokens(text)).1, ["fixtures"]);
    // Two levels down, one `super::` stays inside the same top-level module.
    assert!(dependencies(&tokens("use super::sibling;"), 2).is_empty());
}

#[test]
fn a_cycle_is_found_and_named_with_its_places() {
    let site = |line| Site {
        file: "src/x.rs".into(),
        line,
    };
    let mut graph = Graph::new();
    graph
        .entry("engine".into())
        .or_default()
        .insert("finding".into(), site(1));
    graph
        .entry("finding".into())
        .or_default()
        .insert("fix".into(), site(2));
    graph
        .entry("fix".into())
        .or_default()
        .insert("engine".into(), site(3));
    graph
        .entry("fix".into())
        .or_default()
        .insert("value".into(), site(4));
    graph.entry("value".into()).or_default();
    let cycles = cycles_of(&graph);
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].0, ["engine", "finding", "fix", "engine"]);
    assert_eq!(
        cycles[0].1,
        BTreeSet::from(["engine", "finding", "fix"].map(String::from))
    );
    let text = describe(&graph, &cycles);
    assert!(
        text.contains("engine -> finding -> fix -> engine"),
        "{text}"
    );
    assert!(text.contains("fix -> engine: src/x.rs:3"), "{text}");
    graph.get_mut("fix").unwrap().remove("engine");
    assert!(cycles_of(&graph).is_empty());
}
