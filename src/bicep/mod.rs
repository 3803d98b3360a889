//! The Bicep source adapter: `.bicep` files (and `.bicepparam` files naming them) become
//! evaluated [`RawResource`]s shaped like the ARM adapter's, with every value located in
//! the `.bicep` file it is written in.
//!
//! Supported: parameters (defaults, values from a `.bicepparam` file or a module call;
//! decorators are read past), variables, resources (top-level, nested and `parent:`
//! children), `existing` resources as references, local modules (evaluated with the
//! caller's arguments; a module that is an ARM template, `module m 'main.json'`, is
//! evaluated by the ARM adapter with them), module outputs, `if` conditions, `for` loops
//! over known collections, property and index access (also `.?`, `[?]`, `!`), string
//! interpolation, the operators, and the functions Bicep shares with ARM templates, plus
//! `map`/`filter` lambdas.
//!
//! Not supported (the value comes out unknown, never an error): anything the deployment
//! decides (`reference`, `list*`, `uniqueString`, `guid`, resource properties other than
//! `id`, `name`, `type` and `apiVersion`), outputs of modules in loops and of ARM-template
//! modules, registry (`br:`) modules that are not in the local Bicep cache (see
//! [`registry`]), template spec (`ts:`) modules, user-defined functions, imported
//! variables and `load*Content`.

mod eval;
pub mod registry;
pub mod syntax;
pub mod units;

#[cfg(test)]
mod tests;

pub use eval::{is_json_module, Files, RegistryCall};
/// The syntax tree type of [`Outline::tree`] and [`Files::tree`].
pub use tree_sitter::Tree;

use crate::model::raw::RawResource;
use crate::source::{FileId, Loc};
use crate::value::{Origin, Value};
use eval::{Budget, Evaluator, Scope, Walker};
use std::path::{Path, PathBuf};

/// A Bicep file that does not parse.
#[derive(Clone, Debug, PartialEq)]
pub struct BicepError {
    pub loc: Loc,
    pub message: String,
}

/// What the engine needs to know about a Bicep file before evaluating anything: the local
/// modules it calls, the file a `.bicepparam` file is `using`, and its first syntax error.
#[derive(Debug, Default)]
pub struct Outline {
    pub modules: Vec<PathBuf>,
    /// Registry modules found in the local Bicep cache: (reference, its `main.json`).
    /// Their paths are among `modules` too.
    pub registry: Vec<(String, PathBuf)>,
    pub using: Option<PathBuf>,
    /// The `using` statement's path string, where a `using` that cannot be followed is
    /// reported.
    pub using_loc: Option<Loc>,
    pub error: Option<BicepError>,
    /// The syntax tree, for [`Files::tree`]: a file is parsed once per scan however many
    /// roots call it (up to [`MAX_KEPT_TREE_TOKENS`] for the scan).
    pub tree: Option<tree_sitter::Tree>,
    /// The file parsed (its tree may have been dropped since).
    pub parsed: bool,
}

/// Tokens of the Bicep files whose syntax trees a scan keeps from outlining them to
/// evaluating them (a tree takes up to about 400 bytes a token: some 100 MiB; a file near
/// the 500,000-token limit is never kept). The files past it are parsed again when
/// evaluated, a module file at a cost in evaluation work.
pub const MAX_KEPT_TREE_TOKENS: usize = 250_000;

pub fn outline(file: FileId, path: &Path, text: &str) -> Outline {
    let mut out = Outline::default();
    if let Some(at) = syntax::past_token_limit(text) {
        out.error = Some(BicepError {
            loc: Loc::new(file, at, at),
            message: format!(
                "this Bicep file has more than {} tokens (its syntax tree would take gigabytes \
                 of memory): it is not parsed or checked",
                syntax::MAX_TOKENS
            ),
        });
        return out;
    }
    let Some(tree) = syntax::parse(text) else {
        out.error = Some(BicepError {
            loc: Loc::new(file, 0, 0),
            message: "the Bicep parser gave up on this file".to_string(),
        });
        return out;
    };
    if let Some(error) = syntax::first_error(&tree) {
        let what = if error.is_missing() {
            format!("syntax error: missing `{}`", error.kind())
        } else {
            let found: String = text[error.byte_range()]
                .chars()
                .take(40)
                .take_while(|c| *c != '\n')
                .collect();
            format!("syntax error: unexpected `{found}`")
        };
        out.error = Some(BicepError {
            loc: Loc::new(file, error.start_byte(), error.end_byte()),
            message: what,
        });
    }
    for decl in eval::top_level(tree.root_node()) {
        let string_node = eval::named_children(decl)
            .into_iter()
            .find(|c| c.kind() == "string");
        let string = string_node.and_then(|s| eval::plain_string(s, text));
        if decl.kind() == "using_statement" {
            out.using_loc = string_node.map(|s| Loc::new(file, s.start_byte(), s.end_byte()));
        }
        match (decl.kind(), string) {
            ("module_declaration", Some(p)) if eval::local_module_path(&p) => {
                out.modules.push(eval::resolve_relative(path, &p));
            }
            ("module_declaration", Some(p)) if registry::is_registry_reference(&p) => {
                if let Some(cached) = registry::cached_module(path, &p) {
                    out.modules.push(cached.clone());
                    out.registry.push((p, cached));
                }
            }
            ("using_statement", Some(p)) => out.using = Some(eval::resolve_relative(path, &p)),
            _ => {}
        }
    }
    out.tree = Some(tree);
    out.parsed = true;
    out
}

/// The symbols a Bicep file declares resources and modules under, as Bicep's
/// `languageVersion` 2.0 output names them: `name` at the top level, `parent::child` for a
/// resource nested in another's body (under conditions and loops too).
pub fn declared_symbols(
    tree: &tree_sitter::Tree,
    text: &str,
) -> std::collections::BTreeSet<String> {
    fn nested(
        node: tree_sitter::Node<'_>,
        text: &str,
        prefix: &str,
        out: &mut std::collections::BTreeSet<String>,
        depth: usize,
    ) {
        // Syntax nesting this deep holds no resource declarations worth finding; the bound
        // keeps a hostile file from exhausting the stack.
        if depth > 96 {
            return;
        }
        for child in eval::named_children(node) {
            if child.kind() == "resource_declaration" {
                let Some(symbol) = declared_symbol(child, text) else {
                    continue;
                };
                let name = format!("{prefix}::{symbol}");
                out.insert(name.clone());
                nested(child, text, &name, out, depth + 1);
            } else {
                nested(child, text, prefix, out, depth + 1);
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for decl in eval::top_level(tree.root_node()) {
        if !matches!(decl.kind(), "resource_declaration" | "module_declaration") {
            continue;
        }
        let Some(symbol) = declared_symbol(decl, text) else {
            continue;
        };
        out.insert(symbol.to_string());
        if decl.kind() == "resource_declaration" {
            nested(decl, text, symbol, &mut out, 0);
        }
    }
    out
}

fn declared_symbol<'t>(decl: tree_sitter::Node<'_>, text: &'t str) -> Option<&'t str> {
    eval::named_children(decl)
        .into_iter()
        .find(|c| c.kind() == "identifier")
        .map(|n| &text[n.byte_range()])
}

/// A Bicep file to evaluate: its id, absolute path and text.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub file: FileId,
    pub path: &'a Path,
    pub text: &'a str,
}

/// What a root evaluates to.
#[derive(Debug, Default)]
pub struct Loaded {
    pub resources: Vec<RawResource>,
    /// (value written at a module call site, module property that uses it): findings on
    /// such a value are reported at the call site, the module property is the other place.
    pub redirects: Vec<(Loc, Loc)>,
    /// Resources that registry modules deploy, and the module statements that call them.
    pub registry_calls: Vec<RegistryCall>,
    /// Module statements whose resources were skipped wholesale (AG005).
    pub not_evaluated: Vec<crate::notice::NotEvaluated>,
    /// What evaluation could not follow: recursive or too deep module calls, module
    /// instances past the limit, expressions past the evaluation limits (AG001).
    pub errors: Vec<BicepError>,
}

/// Evaluates a root `.bicep` file, with the parameter values of a `.bicepparam` file when
/// given, into its resources and those of the local modules it calls (found in `files`).
pub fn load(root: Input<'_>, parameters: Option<Input<'_>>, files: &dyn Files) -> Loaded {
    load_within(root, parameters, files, crate::value::ScanBudget::new())
}

/// As [`load`], drawing on `scan`, the budget every root of its scan shares.
pub fn load_within(
    root: Input<'_>,
    parameters: Option<Input<'_>>,
    files: &dyn Files,
    scan: std::sync::Arc<crate::value::ScanBudget>,
) -> Loaded {
    let Some(tree) = eval::tree_of(files, root.file, root.text) else {
        return Loaded::default();
    };
    let budget = Budget::within(scan);
    let given = parameters
        .map(|p| {
            let name = p.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.to_ascii_lowercase().ends_with(".json") {
                // An ARM parameters file; one that does not parse was reported as AG001.
                match files.source(p.file) {
                    Some(source) => (*crate::json::tree(source))
                        .as_ref()
                        .map(|root| crate::arm::parameter_values_in(root, name))
                        .unwrap_or_default(),
                    None => crate::arm::parameter_values(p.file, p.text, name).unwrap_or_default(),
                }
            } else {
                parameter_values(p, &budget)
            }
        })
        .unwrap_or_default();
    let scope = Scope::new(
        root.file,
        root.path.to_path_buf(),
        root.text,
        tree.root_node(),
        given,
        parameters.is_some(),
    );
    let mut walker = Walker {
        evaluator: Evaluator {
            files: Some(files),
            ..Evaluator::new(&budget)
        },
        files,
        out: Vec::new(),
        registry_calls: Vec::new(),
        not_evaluated: Vec::new(),
        chain: vec![root.path.to_path_buf()],
        errors: Vec::new(),
        copy: false,
    };
    walker.file(&scope, tree.root_node(), 0);
    let mut errors = walker.errors;
    errors.extend(budget.work.take_stops().into_iter().map(|s| BicepError {
        loc: s.loc,
        message: s.message,
    }));
    Loaded {
        redirects: walker.evaluator.redirects.take(),
        resources: walker.out,
        registry_calls: walker.registry_calls,
        not_evaluated: walker.not_evaluated,
        errors,
    }
}

/// The `param name = value` assignments of a `.bicepparam` file, evaluated in its own
/// scope (where its `var`s are visible).
fn parameter_values(input: Input<'_>, budget: &Budget) -> Vec<(String, Value)> {
    let Some(tree) = syntax::parse(input.text) else {
        return Vec::new();
    };
    let scope = Scope::new(
        input.file,
        input.path.to_path_buf(),
        input.text,
        tree.root_node(),
        Vec::new(),
        false,
    );
    let evaluator = Evaluator::new(budget);
    let file_name = crate::source::display_path(input.path);
    let mut values = Vec::new();
    for decl in eval::top_level(tree.root_node()) {
        if decl.kind() != "parameter_assignment" {
            continue;
        }
        let parts = eval::named_children(decl);
        let (Some(name), Some(value)) = (parts.first(), parts.get(1)) else {
            continue;
        };
        let name = input.text[name.byte_range()].to_string();
        let value = evaluator
            .eval(&scope, *value, &Default::default())
            .with_origin(Origin::AssignedInParameterFile {
                name: name.clone(),
                file: file_name.clone(),
            });
        values.push((name, value));
    }
    values
}
