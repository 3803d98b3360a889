//! Evaluation of one Bicep file's syntax tree (and, through module calls, of the files it
//! calls) into [`RawResource`]s shaped like the ARM adapter's: the same resource types,
//! property paths and addresses, so every rule works unchanged.
//!
//! Locations: a literal keeps its own span; a computed value gets the span of its
//! expression; a value that only passes through a parameter, a variable, property access,
//! a ternary or `??` keeps the span where it was written, and `origin` says how it got
//! here ("parameter `x` default", "parameter `x` passed by module `m`").

use super::syntax;
use crate::arm::functions;
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::{shorten, Entry, Kind, Limit, Memo, Origin, Referent, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tree_sitter::Node;

/// Nested expressions, names resolved through other names and nested resources, together.
/// Bounds the native stack on hostile input (rayon workers have 2 MiB).
const MAX_DEPTH: usize = 96;
/// Loops longer than this are treated as unknown (ARM allows 800 copies).
const MAX_LOOP: usize = 800;
/// Module calls deeper than this are not followed (cycles end here too).
const MAX_MODULE_DEPTH: usize = 16;
/// Module instances evaluated for one root: a file whose several calls to itself would
/// multiply at every level ends here, not exponentially later.
const MAX_MODULE_INSTANCES: usize = 256;
/// Unknown values carry at most this much of their expression's text.
const MAX_EXPR_TEXT: usize = 200;
/// `parent:` links followed from one resource: ARM types nest only a few levels deep.
const MAX_PARENT_CHAIN: usize = 16;

/// The Bicep files a root can call as modules, by absolute path.
pub trait Files {
    fn get(&self, path: &Path) -> Option<(FileId, &str)>;
    /// The restored template of a registry module (`br:` / `br/alias:`) that the Bicep file
    /// at `from` references, when the local Bicep cache holds it.
    fn registry_module(&self, _from: &Path, _reference: &str) -> Option<PathBuf> {
        None
    }
    /// The file's syntax tree when it was parsed already.
    fn tree(&self, _file: FileId) -> Option<&tree_sitter::Tree> {
        None
    }
    /// The file as the scan read it, with the JSON tree it keeps (an ARM template or
    /// parameters file is parsed once, however many module instances deploy it).
    fn source(&self, _file: FileId) -> Option<&crate::source::SourceFile> {
        None
    }
}

/// Budgets shared by everything evaluated for one root.
pub(crate) struct Budget {
    /// Value sizes and work, as for every evaluator.
    pub work: crate::value::Budget,
    depth: Cell<usize>,
    module_instances: Cell<usize>,
}

impl Budget {
    pub fn within(scan: std::sync::Arc<crate::value::ScanBudget>) -> Budget {
        Budget {
            work: crate::value::Budget::within(scan),
            depth: Cell::new(0),
            module_instances: Cell::new(0),
        }
    }

    /// Counts one module instance; `false` when no more may be evaluated.
    fn module_instance(&self) -> bool {
        let n = self.module_instances.get() + 1;
        self.module_instances.set(n);
        n <= MAX_MODULE_INSTANCES && !self.work.exhausted()
    }

    /// Enters one level; `None` past [`MAX_DEPTH`].
    fn enter(&self) -> Option<DepthGuard<'_>> {
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH {
            return None;
        }
        self.depth.set(depth);
        Some(DepthGuard(&self.depth))
    }
}

struct DepthGuard<'b>(&'b Cell<usize>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

struct Param<'t> {
    name: String,
    default: Option<Node<'t>>,
    nullable: bool,
    given: Option<Value>,
}

#[derive(Clone, Copy)]
struct ResourceDecl<'t> {
    node: Node<'t>,
    /// `Microsoft.X/type` (without the `@apiVersion`), as written (may be relative when
    /// nested).
    type_node: Node<'t>,
}

/// One Bicep file as evaluated for one caller: its declarations and the values given to
/// its parameters.
pub(crate) struct Scope<'t> {
    pub file: FileId,
    pub path: PathBuf,
    text: &'t str,
    params: Vec<Param<'t>>,
    /// Every parameter value is known (a `.bicepparam` file or a module call): an optional
    /// parameter that is not given is null, not unknown.
    complete: bool,
    vars: HashMap<String, Node<'t>>,
    resources: HashMap<String, ResourceDecl<'t>>,
    modules: HashMap<String, Node<'t>>,
    cache: Memo<String>,
    /// Evaluated for a module call: a value the caller wrote is reported where it is
    /// written, not at the module's property that uses it.
    called: bool,
}

/// Loop variables and lambda parameters in force.
#[derive(Clone, Default)]
pub(crate) struct Env {
    binds: Vec<(String, Value)>,
}

impl Env {
    fn with(&self, name: &str, value: Value) -> Env {
        let mut env = self.clone();
        env.binds.push((name.to_string(), value));
        env
    }
    fn get(&self, name: &str) -> Option<&Value> {
        self.binds
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

pub(crate) fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect()
}

fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|c| !c.is_extra())
        .collect()
}

/// The declaration part of a statement (statements wrap declarations in the grammar's
/// supertypes, which tree-sitter does not show as nodes).
pub(crate) fn top_level<'t>(root: Node<'t>) -> Vec<Node<'t>> {
    named_children(root)
}

fn has_token(node: Node<'_>, token: &str) -> bool {
    children(node)
        .iter()
        .any(|c| !c.is_named() && c.kind() == token)
}

/// The value of a string literal without interpolation (module paths, `using`, types).
pub(crate) fn plain_string(node: Node<'_>, text: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let raw = &text[node.byte_range()];
    if let Some(inner) = raw.strip_prefix("'''").and_then(|r| r.strip_suffix("'''")) {
        return Some(multiline(inner).to_string());
    }
    if named_children(node)
        .iter()
        .any(|c| c.kind() == "interpolation")
    {
        return None;
    }
    let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(unescape(inner))
}

fn multiline(inner: &str) -> &str {
    // The line break right after the opening quotes is not part of the value.
    inner
        .strip_prefix("\r\n")
        .or_else(|| inner.strip_prefix('\n'))
        .unwrap_or(inner)
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest: String = chars.clone().collect();
                if let Some(hex) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) {
                    if let Some(ch) = u32::from_str_radix(hex.0, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                        for _ in 0..hex.0.len() + 2 {
                            chars.next();
                        }
                        continue;
                    }
                }
                out.push('u');
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A module path that names a file beside the caller (not a registry or template spec).
pub(crate) fn local_module_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !(lower.starts_with("br:")
        || lower.starts_with("br/")
        || lower.starts_with("ts:")
        || lower.starts_with("ts/"))
}

/// A file's syntax tree: the one parsed for the scan (a cheap shared copy), else parsed now.
pub(crate) fn tree_of(files: &dyn Files, file: FileId, text: &str) -> Option<tree_sitter::Tree> {
    files.tree(file).cloned().or_else(|| syntax::parse(text))
}

/// Evaluation work units charged for parsing one token of a module file again: a parse
/// costs about as much a token as 25 units of evaluation.
const PARSE_UNITS_PER_TOKEN: u64 = 25;

/// Why [`module_tree_of`] gives no tree.
pub(crate) enum NoTree {
    /// The file does not parse (reported on the file itself).
    Unparsed,
    /// Parsing it again was refused: the root's work is spent.
    Refused,
}

/// A module file's syntax tree, as [`tree_of`]. When the scan did not keep its tree (see
/// [`super::MAX_KEPT_TREE_TOKENS`]) it is parsed again: the first time in the scan as the
/// scan parses any file once, every later time as work charged to `work`, so a root that
/// calls large files many times is bounded like one that loops.
pub(crate) fn module_tree_of(
    files: &dyn Files,
    file: FileId,
    text: &str,
    work: &crate::value::Budget,
) -> Result<tree_sitter::Tree, NoTree> {
    if let Some(tree) = files.tree(file) {
        return Ok(tree.clone());
    }
    if !work.first_parse(file) {
        let units = (syntax::tokens(text) as u64).saturating_mul(PARSE_UNITS_PER_TOKEN);
        if !work.spend(units) {
            return Err(NoTree::Refused);
        }
    }
    syntax::parse(text).ok_or(NoTree::Unparsed)
}

/// The file a `module` statement of the Bicep file at `from` deploys: a local path, or a
/// registry module restored in the local cache.
fn module_target(files: &dyn Files, from: &Path, path: &str) -> Option<PathBuf> {
    if local_module_path(path) {
        Some(resolve_relative(from, path))
    } else {
        files.registry_module(from, path)
    }
}

/// A `.bicepparam` file: parameter values, not a template a module can deploy.
fn target_is_parameters_file(target: &Path) -> bool {
    target
        .to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".bicepparam")
}

/// A path a module may name (a `.bicep` file or an ARM template): one that names anything
/// else was reported where the scan declined to read it.
fn module_file_name(target: &Path) -> bool {
    let name = target.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".bicep") || is_json_module(&name)
}

pub(crate) fn resolve_relative(from: &Path, relative: &str) -> PathBuf {
    let dir = from.parent().unwrap_or(Path::new(""));
    crate::discover::normalize(&dir.join(relative.replace('\\', "/")))
}

impl<'t> Scope<'t> {
    pub fn new(
        file: FileId,
        path: PathBuf,
        text: &'t str,
        root: Node<'t>,
        mut given: Vec<(String, Value)>,
        complete: bool,
    ) -> Scope<'t> {
        let mut scope = Scope {
            file,
            path,
            text,
            params: Vec::new(),
            complete,
            vars: HashMap::new(),
            resources: HashMap::new(),
            modules: HashMap::new(),
            cache: Memo::default(),
            called: false,
        };
        for decl in top_level(root) {
            let parts = named_children(decl);
            let name = parts
                .iter()
                .find(|c| c.kind() == "identifier")
                .map(|n| text[n.byte_range()].to_string());
            let Some(name) = name else { continue };
            match decl.kind() {
                "parameter_declaration" => {
                    let ty = parts.get(1).filter(|t| is_type_node(t));
                    let nullable =
                        ty.is_some_and(|t| text[t.byte_range()].trim_end().ends_with('?'));
                    let default = if has_token(decl, "=") {
                        parts
                            .last()
                            .copied()
                            .filter(|d| Some(d) != ty && d.id() != parts[0].id())
                    } else {
                        None
                    };
                    let given = given
                        .iter()
                        .position(|(n, _)| *n == name)
                        .map(|i| given.swap_remove(i).1);
                    scope.params.push(Param {
                        name,
                        default,
                        nullable,
                        given,
                    });
                }
                "variable_declaration" => {
                    if let Some(value) = parts.get(1) {
                        scope.vars.insert(name, *value);
                    }
                }
                "module_declaration" => {
                    scope.modules.insert(name, decl);
                }
                "resource_declaration" => {
                    if let Some(type_node) = parts.iter().find(|c| c.kind() == "string") {
                        scope.resources.insert(
                            name,
                            ResourceDecl {
                                node: decl,
                                type_node: *type_node,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        scope
    }

    fn text_of(&self, node: Node<'_>) -> &'t str {
        &self.text[node.byte_range()]
    }

    fn loc(&self, node: Node<'_>) -> Loc {
        Loc::new(self.file, node.start_byte(), node.end_byte())
    }

    fn unknown(&self, node: Node<'_>) -> Value {
        let text = self.text_of(node);
        let text: String = text.chars().take(MAX_EXPR_TEXT).collect();
        Value::unknown(text, Some(self.loc(node)))
    }
}

fn is_type_node(node: &Node<'_>) -> bool {
    matches!(
        node.kind(),
        "type"
            | "primitive_type"
            | "nullable_type"
            | "array_type"
            | "union_type"
            | "parameterized_type"
            | "member_expression"
            | "identifier"
            | "object"
            | "parenthesized_type"
            | "negated_type"
            | "string"
    )
}

/// Fills in a location for a value that has none (a parameter with no default).
fn fill_loc(mut value: Value, loc: Loc) -> Value {
    if value.loc.is_none() {
        value.loc = Some(loc);
    }
    value
}

/// What a resource declaration becomes once its type, name and parent are known.
struct Declared {
    kind: String,
    api_version: Option<String>,
    /// The name as written (`child.name` in Bicep), and the full ARM name (`parent/child`).
    own_name: Option<String>,
    full_name: Option<String>,
}

pub(crate) struct Evaluator<'b> {
    pub budget: &'b Budget,
    /// An expression is being evaluated: its sub-expressions share its work allowance.
    pub in_expression: Cell<bool>,
    /// (value written by a module's caller, the module property that uses it).
    pub redirects: RefCell<Vec<(Loc, Loc)>>,
    /// The files module calls can reach, for `module.outputs.x` (None: outputs unknown).
    pub files: Option<&'b dyn Files>,
}

impl<'b> Evaluator<'b> {
    pub fn new(budget: &'b Budget) -> Evaluator<'b> {
        Evaluator {
            budget,
            in_expression: Cell::new(false),
            redirects: RefCell::default(),
            files: None,
        }
    }
}

impl Evaluator<'_> {
    pub fn eval(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let Some(_guard) = self.budget.enter() else {
            let text = scope.text_of(node);
            let limit = Limit::TooDeep(MAX_DEPTH);
            self.budget.work.stop_at(Some(scope.loc(node)), text, limit);
            return scope.unknown(node);
        };
        // A value written in the file is known whatever the rest of the root cost.
        let kind = node.kind();
        if matches!(kind, "number" | "boolean" | "null")
            || kind == "string"
                && !named_children(node)
                    .iter()
                    .any(|c| c.kind() == "interpolation")
        {
            return self.eval_inner(scope, node, env);
        }
        let work = &self.budget.work;
        // So is an array or object written in the file: its computed elements are charged.
        if matches!(kind, "array" | "object") {
            let value = self.eval_inner(scope, node, env);
            if work.check_size(&value).is_err() {
                work.stop_at(Some(scope.loc(node)), scope.text_of(node), Limit::TooLarge);
                return scope.unknown(node);
            }
            return value;
        }
        if self.in_expression.get() {
            return self.eval_charged(scope, node, env);
        }
        let expression = work.expression();
        self.in_expression.set(true);
        let value = self.eval_charged(scope, node, env);
        self.in_expression.set(false);
        if expression.ran_out() {
            work.stop_at(Some(scope.loc(node)), scope.text_of(node), Limit::Exhausted);
        }
        work.keep(&value);
        value
    }

    /// Evaluates `compute` (a parameter, variable or module output, computed once) as an
    /// expression of its own, with its own work allowance.
    fn on_its_own<T>(&self, compute: impl FnOnce() -> T) -> T {
        let outer = self.in_expression.replace(false);
        let value = compute();
        self.in_expression.set(outer);
        value
    }

    fn eval_charged(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let work = &self.budget.work;
        if !work.spend(1) {
            return scope.unknown(node);
        }
        let value = self.eval_inner(scope, node, env);
        match work.charge(&value) {
            Ok(()) => value,
            Err(limit) => {
                if limit == Limit::TooLarge {
                    work.stop_at(Some(scope.loc(node)), scope.text_of(node), limit);
                }
                scope.unknown(node)
            }
        }
    }

    fn eval_inner(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let loc = Some(scope.loc(node));
        match node.kind() {
            "number" => scope
                .text_of(node)
                .parse::<f64>()
                .map(|n| Value::number(n, loc))
                .unwrap_or_else(|_| scope.unknown(node)),
            "boolean" => Value::bool(scope.text_of(node) == "true", loc),
            "null" => Value::new(Kind::Null, loc),
            "string" => self.string(scope, node, env),
            "identifier" => self.identifier(scope, node, env),
            "parenthesized_expression" => match named_children(node).as_slice() {
                [inner] => self.eval(scope, *inner, env),
                _ => scope.unknown(node),
            },
            "non_null_expression" => match node.child_by_field_name("argument") {
                Some(inner) => self.eval(scope, inner, env),
                None => scope.unknown(node),
            },
            "array" => {
                let mut items = Vec::new();
                for item in named_children(node) {
                    match item.kind() {
                        "decorators" => {}
                        "spread_expression" => {
                            let Some(inner) = named_children(item).into_iter().next() else {
                                return scope.unknown(node);
                            };
                            match self.eval(scope, inner, env).kind {
                                Kind::List(spread) => items.extend(spread),
                                // Which items an unknown spread adds is unknown.
                                _ => return scope.unknown(node),
                            }
                        }
                        _ => items.push(self.eval(scope, item, env)),
                    }
                }
                Value::list(items, loc)
            }
            "object" => self.object(scope, node, env, &mut |_, _| false),
            "member_expression" => self.member(scope, node, env),
            "subscript_expression" => self.subscript(scope, node, env),
            "call_expression" => self.call(scope, node, env),
            "ternary_expression" => {
                let (Some(c), Some(a), Some(b)) = (
                    node.child_by_field_name("condition"),
                    node.child_by_field_name("consequence"),
                    node.child_by_field_name("alternative"),
                ) else {
                    return scope.unknown(node);
                };
                match self.eval(scope, c, env).as_bool() {
                    Some(true) => self.eval(scope, a, env),
                    Some(false) => self.eval(scope, b, env),
                    None => {
                        let (a, b) = (self.eval(scope, a, env), self.eval(scope, b, env));
                        if functions::equal(&a, &b) == Some(true) {
                            a
                        } else {
                            scope.unknown(node)
                        }
                    }
                }
            }
            "unary_expression" => {
                let (Some(op), Some(arg)) = (
                    node.child_by_field_name("operator"),
                    node.child_by_field_name("argument"),
                ) else {
                    return scope.unknown(node);
                };
                let value = self.eval(scope, arg, env);
                match (scope.text_of(op), &value.kind) {
                    ("!", _) => match value.as_bool() {
                        Some(b) => Value::bool(!b, loc),
                        None => scope.unknown(node),
                    },
                    ("-", Kind::Number(n)) => Value::number(-n, loc),
                    _ => scope.unknown(node),
                }
            }
            "binary_expression" => self.binary(scope, node, env),
            "for_statement" => self.for_expression(scope, node, env),
            _ => scope.unknown(node),
        }
    }

    fn string(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let loc = Some(scope.loc(node));
        if let Some(s) = plain_string(node, scope.text) {
            return Value::string(s, loc);
        }
        // An interpolated string: the text between the interpolations, unescaped.
        let raw = scope.text_of(node);
        let start = node.start_byte();
        let mut out = String::new();
        let mut at = start + 1;
        for part in named_children(node) {
            if part.kind() != "interpolation" {
                continue;
            }
            let Some(literal) = scope.text.get(at..part.start_byte()) else {
                return scope.unknown(node);
            };
            out.push_str(&unescape(literal));
            let Some(inner) = named_children(part).into_iter().next() else {
                return scope.unknown(node);
            };
            let value = self.eval(scope, inner, env);
            match functions::scalar_text(&value) {
                Some(text) if !value.is_unknown() => out.push_str(&text),
                _ => return scope.unknown(node),
            }
            at = part.end_byte();
        }
        // An unterminated string (in a file with syntax errors) is not a value.
        if !raw.ends_with('\'') || raw.len() < 2 {
            return scope.unknown(node);
        }
        let end = start + raw.len() - 1;
        match scope.text.get(at..end) {
            Some(literal) => out.push_str(&unescape(literal)),
            None if at > end => {}
            None => return scope.unknown(node),
        }
        Value::string(out, loc)
    }

    fn identifier(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let name = scope.text_of(node);
        let loc = scope.loc(node);
        if let Some(value) = env.get(name) {
            return fill_loc(value.clone(), loc);
        }
        if let Some(value) = self.parameter(scope, name) {
            return fill_loc(value, loc);
        }
        if let Some(value) = self.variable(scope, name) {
            return fill_loc(value, loc);
        }
        if let Some(value) = self.resource_reference(scope, name) {
            return value.at(Some(loc));
        }
        if let Some(value) = self.module_reference(scope, name) {
            return value.at(Some(loc));
        }
        scope.unknown(node)
    }

    /// What a module's symbolic name stands for: `{name, outputs}`, its outputs evaluated
    /// in the module with the values this call passes. Outputs that read the deployment
    /// (`reference`, resource properties) are unknown there too; a module in a loop, and
    /// one that is an ARM template, have unknown outputs.
    fn module_reference(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let decl = *scope.modules.get(name)?;
        let value = self.resolve(scope, format!("module:{name}"), || {
            self.module_outputs(scope, decl, name)
                .unwrap_or_else(|| Value::unknown(name, None))
        });
        Some(value.unwrap_or_else(|| Value::unknown(name, None)))
    }

    /// The `params: {...}` of one module instance, each value saying which call passed it.
    pub fn passed(
        &self,
        scope: &Scope<'_>,
        object: Node<'_>,
        env: &Env,
        symbol: &str,
    ) -> Vec<(String, Value)> {
        let mut given = Vec::new();
        if let Some(params) = property(scope, object, "params").filter(|p| p.kind() == "object") {
            let passed = self.object(scope, params, env, &mut |_, _| false);
            for e in passed.as_map().unwrap_or(&[]) {
                let key = e.key.clone();
                let value = e
                    .value
                    .clone()
                    .with_origin_if_none(|| Origin::ModuleParameter {
                        name: key.clone(),
                        module: symbol.to_string(),
                    });
                given.push((key, value));
            }
        }
        given
    }

    fn module_outputs(&self, scope: &Scope<'_>, decl: Node<'_>, symbol: &str) -> Option<Value> {
        let files = self.files?;
        let body = body_of(decl)?;
        let object = match body.kind() {
            "object" => body,
            // Deployed or not, a conditional module's outputs are what its body makes them.
            "if_statement" => named_children(body)
                .into_iter()
                .rev()
                .find(|c| c.kind() == "object")?,
            _ => return None,
        };
        let path = named_children(decl)
            .into_iter()
            .find(|c| c.kind() == "string")
            .and_then(|p| plain_string(p, scope.text))?;
        let target = module_target(files, &scope.path, &path)?;
        if is_json_module(&target.to_string_lossy()) || !self.budget.module_instance() {
            return None;
        }
        let (file, text) = files.get(&target)?;
        let tree = module_tree_of(files, file, text, &self.budget.work).ok()?;
        let env = Env::default();
        let given = self.passed(scope, object, &env, symbol);
        let inner = Scope::new(file, target.clone(), text, tree.root_node(), given, true);
        let mut outputs = Vec::new();
        for output in top_level(tree.root_node())
            .into_iter()
            .filter(|d| d.kind() == "output_declaration")
        {
            let parts = named_children(output);
            let (Some(name), Some(value)) = (parts.first(), parts.last()) else {
                continue;
            };
            if name.id() == value.id() {
                continue;
            }
            let key = inner.text_of(*name).to_string();
            let value = self
                .eval(&inner, *value, &env)
                .with_origin(Origin::ModuleOutput {
                    name: key.clone(),
                    module: symbol.to_string(),
                });
            outputs.push(entry(&key, value));
        }
        let deployment = property(scope, object, "name")
            .map(|n| self.eval(scope, n, &env))
            .unwrap_or_else(|| Value::unknown(format!("{symbol}.name"), None));
        Some(
            Value::map(
                vec![
                    entry("name", deployment),
                    entry("outputs", Value::map(outputs, None)),
                ],
                None,
            )
            .with_origin(Origin::Module {
                module: symbol.to_string(),
            }),
        )
    }

    /// Lazily evaluated, once, with cycles (and spent budgets) unknown.
    fn resolve(
        &self,
        scope: &Scope<'_>,
        key: String,
        compute: impl FnOnce() -> Value,
    ) -> Option<Value> {
        scope.cache.resolve(key, || Some(self.on_its_own(compute)))
    }

    pub fn parameter(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let param = scope.params.iter().find(|p| p.name == name)?;
        let value = self.resolve(scope, format!("param:{name}"), || {
            if let Some(given) = &param.given {
                return given.clone();
            }
            match param.default {
                Some(default) => self
                    .eval(scope, default, &Env::default())
                    .with_origin_if_none(|| Origin::ParameterDefault {
                        name: name.to_string(),
                    }),
                None if param.nullable && scope.complete => Value::null(),
                None => Value::unknown(name, None),
            }
        });
        Some(value.unwrap_or_else(|| Value::unknown(name, None)))
    }

    fn variable(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let node = *scope.vars.get(name)?;
        let value = self.resolve(scope, format!("var:{name}"), || {
            self.eval(scope, node, &Env::default())
                .with_origin_if_none(|| Origin::Variable {
                    name: name.to_string(),
                })
        });
        Some(value.unwrap_or_else(|| Value::unknown(name, None)))
    }

    /// What a resource's symbolic name stands for in an expression: an object with the
    /// properties Bicep knows before deployment (`id`, `name`, `type`, `apiVersion`);
    /// anything else is read from the deployment and unknown.
    fn resource_reference(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let decl = *scope.resources.get(name)?;
        let value = self.resolve(scope, format!("resource:{name}"), || {
            if body_of(decl.node).is_some_and(|b| b.kind() == "for_statement") {
                return Value::unknown(name, None);
            }
            let declared = self.declared(scope, decl, None, &Env::default());
            let mut entries = vec![
                entry("type", Value::string(declared.kind.clone(), None)),
                entry(
                    "name",
                    match &declared.own_name {
                        Some(n) => Value::string(n.clone(), None),
                        None => Value::unknown(format!("{name}.name"), None),
                    },
                ),
                entry("id", resource_id(&declared, name)),
            ];
            if let Some(version) = declared.api_version {
                entries.push(entry("apiVersion", Value::string(version, None)));
            }
            Value::map(entries, None).with_origin(Origin::Resource {
                symbol: name.to_string(),
            })
        });
        Some(value.unwrap_or_else(|| Value::unknown(name, None)))
    }

    /// The type, API version and names of a resource declaration (a nested one gets its
    /// parent's type and name as prefixes).
    fn declared(
        &self,
        scope: &Scope<'_>,
        decl: ResourceDecl<'_>,
        parent: Option<&Declared>,
        env: &Env,
    ) -> Declared {
        self.declared_within(scope, decl, parent, env, 0)
    }

    /// As [`Self::declared`], `depth` explicit `parent:` links down: a chain longer than any
    /// resource type nests (a resource that is its own parent, two that are each other's)
    /// stops there instead of recursing without end.
    fn declared_within(
        &self,
        scope: &Scope<'_>,
        decl: ResourceDecl<'_>,
        parent: Option<&Declared>,
        env: &Env,
        depth: usize,
    ) -> Declared {
        let written = plain_string(decl.type_node, scope.text).unwrap_or_default();
        let (own_type, api_version) = match written.split_once('@') {
            Some((t, v)) => (t.to_string(), Some(v.to_string())),
            None => (written, None),
        };
        let body = body_object(decl.node);
        let own_name = body
            .and_then(|b| property(scope, b, "name"))
            .map(|n| self.eval(scope, n, env))
            .and_then(|v| functions::scalar_text(&v).filter(|_| !v.is_unknown()));
        // `parent: cluster` names the parent instead of nesting.
        let explicit_parent = body
            .and_then(|b| property(scope, b, "parent"))
            .filter(|p| p.kind() == "identifier" && depth < MAX_PARENT_CHAIN)
            .and_then(|p| {
                let parent = *scope.resources.get(scope.text_of(p))?;
                Some(self.declared_within(scope, parent, None, &Env::default(), depth + 1))
            });
        let parent = explicit_parent.as_ref().or(parent);
        let relative = !own_type
            .split('/')
            .next()
            .is_some_and(|ns| ns.contains('.'));
        let (kind, full_name) = match parent {
            Some(p) => {
                let kind = if relative {
                    format!("{}/{own_type}", p.kind)
                } else {
                    own_type.clone()
                };
                let full = match (&p.full_name, &own_name) {
                    (Some(p), Some(n)) => Some(format!("{p}/{n}")),
                    _ => None,
                };
                (kind, full)
            }
            None => (own_type.clone(), own_name.clone()),
        };
        Declared {
            kind,
            api_version,
            own_name,
            full_name,
        }
    }

    fn member(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let (Some(object), Some(property)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("property"),
        ) else {
            return scope.unknown(node);
        };
        let safe = has_token(node, ".?");
        let key = scope.text_of(property);
        let base = self.eval(scope, object, env);
        let loc = Some(scope.loc(node));
        let is_resource =
            object.kind() == "identifier" && scope.resources.contains_key(scope.text_of(object));
        match &base.kind {
            Kind::Map(_) => match base.get_ci(key) {
                Some(value) => fill_loc(value.clone(), scope.loc(node)),
                // What the deployment returns: written as compiled ARM has it
                // (`reference('<id>').x`), which linking reads (a kubelet identity's cluster).
                None if is_resource => match base.get_ci("id").and_then(Value::as_str) {
                    Some(id) if key == "properties" => Value::unknown_referring(
                        format!("reference('{id}')"),
                        loc,
                        Referent::deployed(id, ""),
                    ),
                    Some(id) => Value::unknown_referring(
                        format!("reference('{id}').{key}"),
                        loc,
                        Referent::deployed(id, key),
                    ),
                    None => scope.unknown(node),
                },
                None if safe => Value::new(Kind::Null, loc),
                None => scope.unknown(node),
            },
            Kind::Null if safe => Value::new(Kind::Null, loc),
            // Keep what is known of the container so links can still be found.
            Kind::Unknown(inner) => {
                let text = format!("{inner}.{key}");
                match base.referent.as_ref().and_then(|r| r.member(key)) {
                    Some(referent) => Value::unknown_referring(text, loc, referent),
                    None => Value::unknown(text, loc),
                }
            }
            _ => scope.unknown(node),
        }
    }

    fn subscript(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let (Some(object), Some(index)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("index"),
        ) else {
            return scope.unknown(node);
        };
        let safe = has_token(node, "?");
        let base = self.eval(scope, object, env);
        let index = self.eval(scope, index, env);
        let loc = scope.loc(node);
        let found = match (&base.kind, &index.kind) {
            (Kind::List(items), Kind::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => {
                items.get(*n as usize).cloned()
            }
            (Kind::Map(_), Kind::String(key)) => base.get_ci(key).cloned(),
            (Kind::Null, _) if safe => Some(Value::null()),
            _ => return scope.unknown(node),
        };
        match found {
            Some(value) => fill_loc(value, loc),
            None if safe => Value::new(Kind::Null, Some(loc)),
            None => scope.unknown(node),
        }
    }

    fn binary(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let (Some(left), Some(op), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("operator"),
            node.child_by_field_name("right"),
        ) else {
            return scope.unknown(node);
        };
        let loc = Some(scope.loc(node));
        let op = scope.text_of(op);
        let a = self.eval(scope, left, env);
        // Short circuits decide with one side unknown.
        match op {
            "&&" | "||" => {
                let decisive = op == "||";
                if a.as_bool() == Some(decisive) {
                    return Value::bool(decisive, loc);
                }
                let b = self.eval(scope, right, env);
                if b.as_bool() == Some(decisive) {
                    return Value::bool(decisive, loc);
                }
                return match (a.as_bool(), b.as_bool()) {
                    (Some(_), Some(_)) => Value::bool(!decisive, loc),
                    _ => scope.unknown(node),
                };
            }
            "??" => {
                return match &a.kind {
                    Kind::Null => self.eval(scope, right, env),
                    Kind::Unknown(_) => scope.unknown(node),
                    _ => a,
                };
            }
            _ => {}
        }
        let b = self.eval(scope, right, env);
        if a.is_unknown() || b.is_unknown() {
            return scope.unknown(node);
        }
        let result = match op {
            "==" => functions::equal(&a, &b).map(|e| Value::bool(e, loc)),
            "!=" => functions::equal(&a, &b).map(|e| Value::bool(!e, loc)),
            "=~" | "!~" => match (a.as_str(), b.as_str()) {
                (Some(x), Some(y)) => {
                    Some(Value::bool(x.eq_ignore_ascii_case(y) == (op == "=~"), loc))
                }
                _ => None,
            },
            "<" => functions::call("less", vec![a, b], loc),
            "<=" => functions::call("lessorequals", vec![a, b], loc),
            ">" => functions::call("greater", vec![a, b], loc),
            ">=" => functions::call("greaterorequals", vec![a, b], loc),
            "+" => functions::call("add", vec![a, b], loc),
            "-" => functions::call("sub", vec![a, b], loc),
            "*" => functions::call("mul", vec![a, b], loc),
            "/" => functions::call("div", vec![a, b], loc),
            "%" => functions::call("mod", vec![a, b], loc),
            _ => None,
        };
        result.unwrap_or_else(|| scope.unknown(node))
    }

    fn call(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let (Some(function), Some(arguments)) = (
            node.child_by_field_name("function"),
            node.child_by_field_name("arguments"),
        ) else {
            return scope.unknown(node);
        };
        // `az.resourceGroup()`, `sys.concat()`: the namespaces of the built-in functions.
        let name = match function.kind() {
            "identifier" => scope.text_of(function),
            "member_expression" => {
                let namespace = function
                    .child_by_field_name("object")
                    .map(|o| scope.text_of(o));
                match (namespace, function.child_by_field_name("property")) {
                    (Some("az" | "sys"), Some(p)) => scope.text_of(p),
                    _ => return scope.unknown(node),
                }
            }
            _ => return scope.unknown(node),
        };
        let lname = name.to_ascii_lowercase();
        let args = named_children(arguments);
        let loc = Some(scope.loc(node));
        let arg = |i: usize| args.get(i).map(|a| self.eval(scope, *a, env));
        let result = match lname.as_str() {
            "any" => arg(0),
            "map" | "filter" => self.lambda_call(scope, &lname, &args, env, loc),
            n if functions::decided_at_deployment(n) => None,
            _ => {
                let values: Vec<Value> = (0..args.len()).filter_map(arg).collect();
                crate::value::take_refused();
                let value = functions::call(&lname, values, loc);
                if let (None, Some(limit)) = (&value, crate::value::take_refused()) {
                    let text = scope.text_of(node);
                    self.budget.work.stop_at(loc, text, limit);
                }
                value
            }
        };
        result.unwrap_or_else(|| scope.unknown(node))
    }

    /// `map(items, x => ...)` and `filter(items, x => ...)`.
    fn lambda_call(
        &self,
        scope: &Scope<'_>,
        name: &str,
        args: &[Node<'_>],
        env: &Env,
        loc: Option<Loc>,
    ) -> Option<Value> {
        let [items, lambda] = args else { return None };
        if lambda.kind() != "lambda_expression" {
            return None;
        }
        let parts = named_children(*lambda);
        let (params, body) = (parts.first()?, parts.last()?);
        if params.kind() != "identifier" {
            return None;
        }
        let param = scope.text_of(*params);
        let items = self.eval(scope, *items, env);
        let list = items.as_list()?;
        if list.len() > MAX_LOOP {
            return None;
        }
        let mut out = Vec::new();
        for item in list {
            let value = self.eval(scope, *body, &env.with(param, item.clone()));
            if name == "map" {
                out.push(value);
            } else {
                if value.as_bool()? {
                    out.push(item.clone());
                }
            }
        }
        Some(Value::list(out, loc))
    }

    /// `[for x in items: ...]` as a value (a property or variable loop).
    fn for_expression(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Value {
        let Some(iterations) = self.iterations(scope, node, env) else {
            return scope.unknown(node);
        };
        let Some(body) = node.child_by_field_name("body") else {
            return scope.unknown(node);
        };
        let mut items = Vec::new();
        for env in iterations {
            if body.kind() == "if_statement" {
                let parts = named_children(body);
                let (Some(condition), Some(object)) = (parts.first(), parts.last()) else {
                    return scope.unknown(node);
                };
                match self.eval(scope, *condition, &env).as_bool() {
                    Some(true) => items.push(self.eval(scope, *object, &env)),
                    Some(false) => {}
                    None => return scope.unknown(node),
                }
            } else {
                items.push(self.eval(scope, body, &env));
            }
        }
        Value::list(items, Some(scope.loc(node)))
    }

    /// The environments of a loop's iterations; `None` when the collection is unknown or
    /// too long.
    pub fn iterations(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Option<Vec<Env>> {
        let (item, index) = loop_variables(scope, node);
        let collection = loop_collection(node)?;
        let value = self.eval(scope, collection, env);
        let list = match &value.kind {
            Kind::List(items) => items.clone(),
            // Iterating an object is done through `items()`; anything else is an error.
            _ => return None,
        };
        if list.len() > MAX_LOOP {
            return None;
        }
        Some(
            list.into_iter()
                .enumerate()
                .map(|(i, value)| {
                    let mut env = env.clone();
                    if let Some(item) = &item {
                        env = env.with(item, value);
                    }
                    if let Some(index) = &index {
                        env = env.with(index, Value::number(i as f64, None));
                    }
                    env
                })
                .collect(),
        )
    }

    /// The loop's variables bound to unknowns (for an iteration count we cannot know).
    pub fn unknown_iteration(&self, scope: &Scope<'_>, node: Node<'_>, env: &Env) -> Env {
        let (item, index) = loop_variables(scope, node);
        let mut env = env.clone();
        for name in [item, index].into_iter().flatten() {
            let value = Value::unknown(name.clone(), None);
            env = env.with(&name, value);
        }
        env
    }

    /// Evaluates an object literal. `skip` decides, per property key node and value node,
    /// that a property is handled elsewhere (nested resources, `parent`).
    fn object(
        &self,
        scope: &Scope<'_>,
        node: Node<'_>,
        env: &Env,
        skip: &mut dyn FnMut(&str, Node<'_>) -> bool,
    ) -> Value {
        let mut entries: Vec<Entry> = Vec::new();
        for prop in named_children(node) {
            if prop.kind() == "spread_expression" {
                let Some(inner) = named_children(prop).into_iter().next() else {
                    return scope.unknown(node);
                };
                match self.eval(scope, inner, env).kind {
                    Kind::Map(spread) => {
                        for e in spread {
                            entries.retain(|old| old.key != e.key);
                            entries.push(e);
                        }
                    }
                    Kind::Null => {}
                    // An unknown spread may set or override any property.
                    _ => return scope.unknown(node),
                }
                continue;
            }
            if prop.kind() != "object_property" {
                continue;
            }
            let parts = named_children(prop);
            let (Some(key_node), Some(value_node)) = (parts.first(), parts.get(1)) else {
                // A nested resource declaration: returned on its own.
                continue;
            };
            let key = property_key(scope, *key_node);
            if skip(&key, *value_node) {
                continue;
            }
            let value = self.eval(scope, *value_node, env);
            let here = scope.loc(prop);
            let mut key_loc = here;
            // A value the caller wrote: reported at the call site, this property is the
            // other place.
            if let Some(passed) = value.loc.filter(|l| scope.called && l.file != scope.file) {
                self.redirects.borrow_mut().push((passed, here));
                key_loc = passed;
            }
            entries.retain(|old| old.key != key);
            entries.push(Entry {
                key,
                key_loc: Some(key_loc),
                value,
            });
        }
        Value::map(entries, Some(scope.loc(node)))
    }
}

fn entry(key: &str, value: Value) -> Entry {
    Entry {
        key: key.to_string(),
        key_loc: None,
        value,
    }
}

/// `/subscriptions/{...}/resourceGroups/{...}/providers/<type>/<name>` as the ARM adapter
/// builds it for `resourceId()`.
fn resource_id(declared: &Declared, symbol: &str) -> Value {
    let Some(full) = &declared.full_name else {
        return Value::unknown(format!("{symbol}.id"), None);
    };
    let mut args = vec![Value::string(declared.kind.clone(), None)];
    args.extend(full.split('/').map(|s| Value::string(s, None)));
    functions::call("resourceid", args, None)
        .unwrap_or_else(|| Value::unknown(format!("{symbol}.id"), None))
}

/// `Microsoft.X/a/{name}/b/{name}`: how Bicep compiles `scope: symbol` for an extension
/// resource.
fn relative_id(declared: &Declared) -> Option<String> {
    let full = declared.full_name.as_ref()?;
    let mut types = declared.kind.split('/');
    let namespace = types.next()?;
    let mut out = namespace.to_string();
    let names: Vec<&str> = full.split('/').collect();
    let types: Vec<&str> = types.collect();
    if names.len() != types.len() {
        return None;
    }
    for (t, n) in types.iter().zip(&names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Some(out)
}

fn property_key(scope: &Scope<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "string" => plain_string(key, scope.text).unwrap_or_default(),
        _ => scope.text_of(key).trim_end_matches('?').to_string(),
    }
}

/// The value node of property `key` in an object literal.
fn property<'t>(scope: &Scope<'_>, object: Node<'t>, key: &str) -> Option<Node<'t>> {
    named_children(object).into_iter().find_map(|prop| {
        if prop.kind() != "object_property" {
            return None;
        }
        let parts = named_children(prop);
        let (k, v) = (parts.first()?, parts.get(1)?);
        (property_key(scope, *k) == key).then_some(*v)
    })
}

/// The `= ...` part of a resource or module declaration: an object, `if (...) {...}` or a
/// `[for ...]` loop.
fn body_of(decl: Node<'_>) -> Option<Node<'_>> {
    named_children(decl)
        .into_iter()
        .rev()
        .find(|c| matches!(c.kind(), "object" | "if_statement" | "for_statement"))
}

/// The object literal of a declaration, looking through `if` and `for`.
fn body_object(decl: Node<'_>) -> Option<Node<'_>> {
    let mut body = body_of(decl)?;
    for _ in 0..3 {
        match body.kind() {
            "object" => return Some(body),
            "if_statement" => body = named_children(body).into_iter().last()?,
            "for_statement" => body = body.child_by_field_name("body")?,
            _ => return None,
        }
    }
    None
}

fn loop_variables(scope: &Scope<'_>, node: Node<'_>) -> (Option<String>, Option<String>) {
    if let Some(init) = node.child_by_field_name("initializer") {
        return (Some(scope.text_of(init).to_string()), None);
    }
    let params = named_children(node)
        .into_iter()
        .find(|c| c.kind() == "for_loop_parameters");
    match params {
        Some(p) => {
            let vars = named_children(p);
            (
                vars.first().map(|v| scope.text_of(*v).to_string()),
                vars.get(1).map(|v| scope.text_of(*v).to_string()),
            )
        }
        None => (None, None),
    }
}

/// The collection a loop iterates: the expression after `in`.
fn loop_collection(node: Node<'_>) -> Option<Node<'_>> {
    let mut after_in = false;
    for child in children(node) {
        if !child.is_named() && child.kind() == "in" {
            after_in = true;
            continue;
        }
        if after_in && child.is_named() {
            return Some(child);
        }
    }
    None
}

/// Emits the resources of one file (and the files it calls as modules).
pub(crate) struct Walker<'f, 'b> {
    pub evaluator: Evaluator<'b>,
    pub files: &'f dyn Files,
    pub out: Vec<RawResource>,
    pub registry_calls: Vec<RegistryCall>,
    pub not_evaluated: Vec<crate::notice::NotEvaluated>,
    /// The files being evaluated, the root first and the innermost module last.
    pub chain: Vec<PathBuf>,
    /// Module calls not followed (recursion, depth, instance limit).
    pub errors: Vec<super::BicepError>,
    /// What is being walked repeats what the scan evaluated already (a loop instance past
    /// the first, a module instance past the first or of a file called before): the scan
    /// keeps its resources as copies.
    pub copy: bool,
}

/// A resource deployed by a registry module: its findings belong at the `module` statement
/// (the caller can change only what it passes), not in the restored template.
#[derive(Clone, Debug)]
pub struct RegistryCall {
    pub template: FileId,
    pub address: String,
    /// The module statement's reference string.
    pub call: Loc,
    pub reference: String,
}

impl Walker<'_, '_> {
    pub fn file(&mut self, scope: &Scope<'_>, root: Node<'_>, depth: usize) {
        for decl in top_level(root) {
            match decl.kind() {
                "resource_declaration" => {
                    let Some(name) = named_children(decl).into_iter().next() else {
                        continue;
                    };
                    let Some(rd) = scope.resources.get(scope.text_of(name)).copied() else {
                        continue;
                    };
                    self.resource(scope, rd, None, &Env::default(), 0);
                }
                "module_declaration" => self.module(scope, decl, depth),
                _ => {}
            }
        }
    }

    /// The environments a declaration body applies in: one for a plain or conditional body
    /// (none when the condition is false), one per iteration of a loop.
    fn instances<'t>(
        &self,
        scope: &Scope<'_>,
        body: Node<'t>,
        env: &Env,
    ) -> Vec<(Env, Option<Node<'t>>)> {
        let ev = &self.evaluator;
        let conditional = |env: Env, node: Node<'t>| -> Option<(Env, Option<Node<'t>>)> {
            match node.kind() {
                "object" => Some((env, Some(node))),
                "if_statement" => {
                    let parts = named_children(node);
                    let condition = *parts.first()?;
                    let object = parts.last().copied().filter(|o| o.kind() == "object");
                    match ev.eval(scope, condition, &env).as_bool() {
                        Some(false) => None,
                        _ => Some((env, object)),
                    }
                }
                _ => None,
            }
        };
        match body.kind() {
            "for_statement" => {
                let Some(inner) = body.child_by_field_name("body") else {
                    return Vec::new();
                };
                match ev.iterations(scope, body, env) {
                    Some(envs) => envs
                        .into_iter()
                        .filter_map(|env| conditional(env, inner))
                        .collect(),
                    None => {
                        let env = ev.unknown_iteration(scope, body, env);
                        conditional(env, inner).into_iter().collect()
                    }
                }
            }
            _ => conditional(env.clone(), body).into_iter().collect(),
        }
    }

    fn resource(
        &mut self,
        scope: &Scope<'_>,
        decl: ResourceDecl<'_>,
        parent: Option<&Declared>,
        env: &Env,
        depth: usize,
    ) {
        if depth > MAX_DEPTH / 4 {
            return;
        }
        let existing = has_token(decl.node, "existing");
        let Some(body) = body_of(decl.node) else {
            return;
        };
        for (index, (env, object)) in self.instances(scope, body, env).into_iter().enumerate() {
            let Some(object) = object else { continue };
            // The first instance is bounded by the file; every further one is a copy.
            let copy = self.copy || index > 0;
            let work = &self.evaluator.budget.work;
            if copy && !work.copy() {
                let what = format!("`{}`", scope.text_of(decl.type_node));
                let at = Some(scope.loc(decl.type_node));
                work.stop(at, crate::value::copies_message(&what));
                return;
            }
            let declared = self.evaluator.declared(scope, decl, parent, &env);
            let ev = &self.evaluator;
            let mut evaluated = ev.object(scope, object, &env, &mut |key, _| key == "parent");
            if let Kind::Map(entries) = &mut evaluated.kind {
                for e in entries.iter_mut() {
                    if e.key == "scope" {
                        if let Some(id) = self.scope_reference(scope, object) {
                            e.value = Value::string(id, e.value.loc);
                        }
                    }
                }
                let type_loc = Some(scope.loc(decl.type_node));
                let mut head = vec![
                    Entry {
                        key: "type".into(),
                        key_loc: type_loc,
                        value: Value::string(declared.kind.clone(), type_loc),
                    },
                    Entry {
                        key: "apiVersion".into(),
                        key_loc: type_loc,
                        value: match &declared.api_version {
                            Some(v) => Value::string(v.clone(), type_loc),
                            None => Value::unknown("apiVersion", type_loc),
                        },
                    },
                ];
                // The full ARM name (`parent/child`), as compiled JSON has it.
                if let (Some(full), Some(name)) = (
                    &declared.full_name,
                    entries.iter_mut().find(|e| e.key == "name"),
                ) {
                    name.value.kind = Kind::String(full.clone());
                }
                head.append(entries);
                *entries = head;
            }
            let address = format!(
                "{}/{}",
                declared.kind,
                declared.full_name.as_deref().unwrap_or("?")
            );
            self.out.push(RawResource {
                format: Format::Bicep,
                kind: declared.kind.clone(),
                address,
                file: scope.file,
                header: scope.loc(decl.type_node),
                body: evaluated,
                name: declared.full_name.clone(),
                written_name: named_children(decl.node)
                    .first()
                    .map(|symbol| scope.text_of(*symbol).to_string()),
                provider_major: None,
                compiled_by_bicep: false,
                existing,
                source: None,
            });
            if let Some(produced) = self.out.last().filter(|_| copy) {
                self.evaluator.budget.work.keep(&produced.body);
            }
            let outer = std::mem::replace(&mut self.copy, copy);
            // Nested child resources.
            for prop in named_children(object) {
                if prop.kind() != "object_property" {
                    continue;
                }
                let Some(child) = named_children(prop)
                    .into_iter()
                    .find(|c| c.kind() == "resource_declaration")
                else {
                    continue;
                };
                let Some(type_node) = named_children(child)
                    .into_iter()
                    .find(|c| c.kind() == "string")
                else {
                    continue;
                };
                let child = ResourceDecl {
                    node: child,
                    type_node,
                };
                self.resource(scope, child, Some(&declared), &env, depth + 1);
            }
            self.copy = outer;
        }
    }

    /// `scope: registry` on an extension resource: the registry's relative ID.
    fn scope_reference(&self, scope: &Scope<'_>, object: Node<'_>) -> Option<String> {
        let value = property(scope, object, "scope")?;
        if value.kind() != "identifier" {
            return None;
        }
        let target = *scope.resources.get(scope.text_of(value))?;
        let declared = self
            .evaluator
            .declared(scope, target, None, &Env::default());
        relative_id(&declared)
    }

    fn module(&mut self, scope: &Scope<'_>, decl: Node<'_>, depth: usize) {
        let parts = named_children(decl);
        let (Some(symbol), Some(path)) =
            (parts.first(), parts.iter().find(|c| c.kind() == "string"))
        else {
            return;
        };
        let symbol = scope.text_of(*symbol).to_string();
        let reference_loc = scope.loc(*path);
        let Some(path) = plain_string(*path, scope.text) else {
            return;
        };
        let registry = !local_module_path(&path);
        let Some(target) = module_target(self.files, &scope.path, &path) else {
            if registry {
                self.registry_module_missing(
                    scope,
                    decl,
                    *parts.first().unwrap_or(&decl),
                    &symbol,
                    &path,
                );
            }
            return;
        };
        let shown = shorten(&path);
        if !registry && target_is_parameters_file(&target) {
            // Bicep deploys a module from a template, never from a parameters file.
            self.not_followed(
                reference_loc,
                format!(
                    "module `{symbol}` names `{shown}`, a parameters file: a module deploys a \
                     `.bicep` file or an ARM template (`.json`), so nothing was evaluated for \
                     it. Call the `.bicep` file it is `using` and pass its values in `params`"
                ),
            );
            return;
        }
        let Some((file, text)) = self.files.get(&target) else {
            if !registry && !target.exists() && module_file_name(&target) {
                // As for a Terraform local module without files: a notice (AG005), since a
                // partial checkout (a sparse clone, a copied subtree) is not broken code.
                let mut at = scope.loc(decl);
                at.end = scope.loc(*parts.first().unwrap_or(&decl)).end;
                if !self.not_evaluated.iter().any(|n| n.at == at) {
                    self.not_evaluated.push(crate::notice::NotEvaluated {
                        at,
                        resource: symbol.clone(),
                        message: format!(
                            "module `{symbol}` (`{shown}`) was not evaluated: the file does not \
                             exist, so the clusters and registries it deploys were not checked"
                        ),
                        help: "fix the module path (Bicep cannot build this file without it), \
                               or check the module where it lives"
                            .to_string(),
                    });
                }
            }
            return;
        };
        if self.chain.contains(&target) {
            self.not_followed(
                reference_loc,
                format!(
                    "module `{symbol}` calls `{shown}`, which is already being evaluated \
                     (a module that calls itself, directly or through other modules): \
                     recursive module calls are not evaluated"
                ),
            );
            return;
        }
        if depth >= MAX_MODULE_DEPTH {
            self.not_followed(
                reference_loc,
                format!(
                    "module `{symbol}` is nested more than {MAX_MODULE_DEPTH} calls deep: \
                     deeper module calls are not evaluated"
                ),
            );
            return;
        }
        if is_json_module(&target.to_string_lossy()) {
            let first = self.out.len();
            self.json_module(scope, decl, &symbol, file, text);
            if registry {
                let calls = self.out[first..]
                    .iter()
                    .filter(|r| r.file == file)
                    .map(|r| RegistryCall {
                        template: file,
                        address: r.address.clone(),
                        call: reference_loc,
                        reference: path.clone(),
                    })
                    .collect::<Vec<_>>();
                self.registry_calls.extend(calls);
            }
            return;
        }
        let tree = match module_tree_of(self.files, file, text, &self.evaluator.budget.work) {
            Ok(tree) => tree,
            Err(NoTree::Unparsed) => return,
            Err(NoTree::Refused) => {
                let mut at = scope.loc(decl);
                at.end = scope.loc(*parts.first().unwrap_or(&decl)).end;
                self.instances_past_limit(at, &symbol);
                return;
            }
        };
        let Some(body) = body_of(decl) else { return };
        let called_before = !self.evaluator.budget.work.first_use(file);
        let instances = self.instances(scope, body, &Env::default());
        for (index, (env, object)) in instances.into_iter().enumerate() {
            let Some(object) = object else { continue };
            if !self.evaluator.budget.module_instance() {
                let mut at = scope.loc(decl);
                at.end = scope.loc(*parts.first().unwrap_or(&decl)).end;
                self.instances_past_limit(at, &symbol);
                return;
            }
            let given = self.evaluator.passed(scope, object, &env, &symbol);
            let mut inner = Scope::new(file, target.clone(), text, tree.root_node(), given, true);
            inner.called = true;
            self.chain.push(target.clone());
            let copy = self.copy || called_before || index > 0;
            let outer = std::mem::replace(&mut self.copy, copy);
            self.file(&inner, tree.root_node(), depth + 1);
            self.copy = outer;
            self.chain.pop();
        }
    }

    /// AG005 for a registry (`br:`, `br/alias:`) module the local Bicep cache does not hold,
    /// or a template spec (`ts:`) module, which aksguard does not read.
    fn registry_module_missing(
        &mut self,
        scope: &Scope<'_>,
        decl: Node<'_>,
        symbol_node: Node<'_>,
        symbol: &str,
        reference: &str,
    ) {
        // From `module` to the symbol: the statement, without its body.
        let mut at = scope.loc(decl);
        at.end = scope.loc(symbol_node).end;
        if self.not_evaluated.iter().any(|n| n.at == at) {
            return;
        }
        let file = crate::source::display_path(&scope.path);
        let template_spec = reference.to_ascii_lowercase().starts_with("ts");
        let (why, help) = if template_spec {
            (
                "aksguard does not read template spec modules".to_string(),
                format!(
                    "check the template spec's source instead, or export it (`az ts export`) \
                     and call the exported template as a local module of `{file}`"
                ),
            )
        } else {
            (
                "it is not in the local Bicep cache".to_string(),
                format!(
                    "run `bicep restore {file}`, then check again (aksguard reads the modules \
                     it restores; it never downloads)"
                ),
            )
        };
        self.not_evaluated.push(crate::notice::NotEvaluated {
            at,
            resource: symbol.to_string(),
            message: format!(
                "module `{symbol}` (`{reference}`) was not evaluated: {why}, so the clusters \
                 and registries it deploys were not checked"
            ),
            help,
        });
    }

    fn not_followed(&mut self, loc: Loc, message: String) {
        if !self.errors.iter().any(|e| e.loc == loc) {
            self.errors.push(super::BicepError { loc, message });
        }
    }

    /// AG005 at a module statement whose further instances are not evaluated: the root
    /// reached [`MAX_MODULE_INSTANCES`] (or its evaluation work).
    fn instances_past_limit(&mut self, at: Loc, symbol: &str) {
        if self.not_evaluated.iter().any(|n| n.at == at) {
            return;
        }
        self.not_evaluated.push(crate::notice::NotEvaluated {
            at,
            resource: symbol.to_string(),
            message: format!(
                "module `{symbol}` was not evaluated (or only some of its instances): the root \
                 reached aksguard's limit of {MAX_MODULE_INSTANCES} module instances or its \
                 evaluation work, so what the instances past it deploy was not checked"
            ),
            help: "check the module's file on its own, or split the root".to_string(),
        });
    }

    /// A module that deploys an ARM template (`module m 'main.json'`): the template is
    /// evaluated by the ARM adapter with the values this call passes.
    fn json_module(
        &mut self,
        scope: &Scope<'_>,
        decl: Node<'_>,
        symbol: &str,
        file: FileId,
        text: &str,
    ) {
        let Some(body) = body_of(decl) else { return };
        let called_before = !self.evaluator.budget.work.first_use(file);
        let instances = self.instances(scope, body, &Env::default());
        for (index, (env, object)) in instances.into_iter().enumerate() {
            let Some(object) = object else { continue };
            let copy = self.copy || called_before || index > 0;
            if !self.evaluator.budget.module_instance()
                || copy && !self.evaluator.budget.work.copy()
            {
                let mut at = scope.loc(decl);
                if let Some(name) = named_children(decl).first() {
                    at.end = scope.loc(*name).end;
                }
                self.instances_past_limit(at, symbol);
                return;
            }
            let given = self.evaluator.passed(scope, object, &env, symbol);
            // A template that does not parse is reported as AG001 where it is scanned.
            let work = &self.evaluator.budget.work;
            let loaded = match self.files.source(file) {
                Some(source) => crate::arm::load_module_file(source, given, work),
                None => crate::arm::load_module_template(file, text, given, work),
            };
            if let Ok((mut resources, _)) = loaded {
                let mut redirects = self.evaluator.redirects.borrow_mut();
                for resource in &mut resources {
                    if copy {
                        self.evaluator.budget.work.keep(&resource.body);
                    }
                    report_passed_values_at_the_call(
                        &mut resource.body,
                        resource.file,
                        &mut redirects,
                    );
                }
                self.out.extend(resources);
            }
        }
    }
}

/// In a template a module call deploys, a property whose value the caller wrote is
/// reported at the call site (as in a Bicep module); the property is the other place.
fn report_passed_values_at_the_call(
    value: &mut Value,
    template: FileId,
    redirects: &mut Vec<(Loc, Loc)>,
) {
    match &mut value.kind {
        Kind::Map(entries) => {
            for entry in entries {
                let passed = entry.value.loc.filter(|l| l.file != template);
                match (passed, entry.key_loc) {
                    (Some(passed), Some(here)) if here.file == template => {
                        redirects.push((passed, here));
                        entry.key_loc = Some(passed);
                    }
                    _ => report_passed_values_at_the_call(&mut entry.value, template, redirects),
                }
            }
        }
        Kind::List(items) => {
            for item in items {
                report_passed_values_at_the_call(item, template, redirects);
            }
        }
        _ => {}
    }
}

/// `module m 'template.json'`: Bicep deploys a local ARM template as a module.
pub fn is_json_module(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json")
}
