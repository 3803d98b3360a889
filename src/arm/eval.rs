//! Evaluation of template JSON and its expressions into the shared `Value` tree.
//!
//! Locations: a literal keeps its own span; a value computed by an expression gets the span
//! of the JSON string holding the expression; a value that only passes through
//! `parameters()`, `variables()`, property access, `if()` or `coalesce()` keeps the span
//! where it was written, and `origin` says how it got here ("parameter `x` default").

use super::expr::{self, Expr, ExprKind, StringForm};
use super::functions::{self, MAX_ITEMS};
use crate::json::{Json, Node};
use crate::source::Loc;
use crate::value::{Budget, Entry, Kind, Limit, Memo, Origin, Referent, Value};
use std::cell::Cell;

/// Nested calls, variable and parameter resolutions, and JSON objects and arrays being
/// evaluated, together. Bounds the stack on hostile input (a 2 MiB thread in a debug build).
const MAX_DEPTH: usize = 160;
/// More `copy` iterations than this are treated as unknown (ARM itself allows 800).
pub(crate) const MAX_COPY: usize = 800;
/// Lambda `sort` is quadratic here; longer lists come out unknown.
const MAX_SORT: usize = 256;

/// Where a template's parameter gets its value.
pub(crate) enum ParamSource<'j> {
    /// The declaration in the template; its `defaultValue` applies.
    Declared(&'j Json),
    /// Supplied from outside (parameters file, calling deployment, function arguments).
    Given(Value),
}

/// The names one template (or user-defined function) can see.
pub(crate) struct Scope<'j> {
    params: Vec<(String, ParamSource<'j>)>,
    /// Every value the deployment passes is known (a parameters file, a calling template):
    /// an optional (`nullable`) parameter that is not among them is null, not unknown.
    complete: bool,
    variables: Option<&'j Json>,
    functions: Option<&'j Json>,
    /// The template's resources, for `reference()` to a nested deployment's outputs.
    resources: Option<&'j Json>,
    cache: Memo<(bool, String)>,
}

impl<'j> Scope<'j> {
    /// The scope of `template`, with values given for some of its parameters (matched
    /// case-insensitively; values for undeclared parameters are ignored, as ARM does not
    /// accept them anyway).
    pub fn new(template: &'j Json, mut given: Vec<(String, Value)>, complete: bool) -> Scope<'j> {
        let mut params = Vec::new();
        for decl in template
            .get("parameters")
            .and_then(Json::as_object)
            .unwrap_or(&[])
        {
            let source = match given
                .iter()
                .position(|(name, _)| name.eq_ignore_ascii_case(&decl.key))
            {
                Some(i) => ParamSource::Given(given.swap_remove(i).1),
                None => ParamSource::Declared(&decl.value),
            };
            params.push((decl.key.clone(), source));
        }
        Scope {
            params,
            complete,
            variables: template.get("variables"),
            functions: template.get("functions"),
            resources: template.get("resources"),
            cache: Memo::default(),
        }
    }

    fn for_function(params: Vec<(String, Value)>, functions: Option<&'j Json>) -> Scope<'j> {
        Scope {
            params: params
                .into_iter()
                .map(|(name, value)| (name, ParamSource::Given(value)))
                .collect(),
            complete: true,
            variables: None,
            functions,
            resources: None,
            cache: Memo::default(),
        }
    }
}

/// How `eval_object` keeps a property it must not evaluate.
pub(crate) enum Verbatim {
    /// As written, expressions unevaluated.
    Literal,
    /// Left out (an unknown with this text, at the property's value).
    Opaque(&'static str),
}

/// Names bound while evaluating: copy-loop indexes and lambda parameters.
#[derive(Clone, Default)]
pub(crate) struct Env {
    binds: Vec<Bind>,
}

#[derive(Clone)]
enum Bind {
    /// `index` is `None` when the loop count is unknown.
    Copy {
        name: String,
        index: Option<i64>,
        resource: bool,
    },
    Lambda {
        name: String,
        value: Value,
    },
}

impl Env {
    /// Binds a resource copy loop (`copyIndex()` without a name refers to it).
    pub fn with_resource_copy(&self, name: &str, index: Option<i64>) -> Env {
        self.with(Bind::Copy {
            name: name.to_string(),
            index,
            resource: true,
        })
    }

    fn with(&self, bind: Bind) -> Env {
        let mut next = self.clone();
        next.binds.push(bind);
        next
    }

    fn copy_index(&self, name: Option<&str>) -> Option<Option<i64>> {
        self.binds.iter().rev().find_map(|b| match (b, name) {
            (
                Bind::Copy {
                    index, resource, ..
                },
                None,
            ) if *resource => Some(*index),
            (Bind::Copy { name: n, index, .. }, Some(wanted)) if n.eq_ignore_ascii_case(wanted) => {
                Some(*index)
            }
            _ => None,
        })
    }

    fn lambda(&self, name: &str) -> Option<&Value> {
        self.binds.iter().rev().find_map(|b| match b {
            Bind::Lambda { name: n, value } if n == name => Some(value),
            _ => None,
        })
    }
}

pub(crate) struct Evaluator<'b> {
    depth: Cell<usize>,
    /// The root's budget (a Bicep file's, for a template it deploys as a module).
    pub budget: &'b Budget,
}

struct DepthGuard<'e>(&'e Cell<usize>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// A value whose top level passed through a name keeps its location and says so, unless an
/// earlier hop already did (the location then points there).
/// Is a nested deployment (its evaluated `properties`) evaluated in its own scope?
pub(crate) fn inner_scope(properties: Option<&Value>) -> bool {
    properties
        .and_then(|p| p.get_ci("expressionEvaluationOptions"))
        .and_then(|o| o.get_ci("scope"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"))
}

/// The parameter values a nested deployment (its evaluated `properties`) passes to its
/// inner template; a Key Vault reference is unknown.
pub(crate) fn passed_parameters(
    properties: Option<&Value>,
    deployment: &str,
) -> Vec<(String, Value)> {
    let mut given = Vec::new();
    let passed = properties
        .and_then(|p| p.get_ci("parameters"))
        .and_then(Value::as_map);
    for entry in passed.unwrap_or(&[]) {
        let key = &entry.key;
        let value = if let Some(value) = entry.value.get_ci("value") {
            with_origin_if_none(value.clone(), || Origin::DeploymentParameter {
                name: key.clone(),
                deployment: deployment.to_string(),
            })
        } else if entry.value.get_ci("reference").is_some() {
            Value::unknown(format!("parameters('{key}')"), entry.value.loc).with_origin(
                Origin::KeyVaultOfDeployment {
                    name: key.clone(),
                    deployment: deployment.to_string(),
                },
            )
        } else {
            continue;
        };
        given.push((key.clone(), value));
    }
    given
}

/// A value written somewhere (not one the evaluator made up) gets `origin` unless it
/// already travelled some other way.
fn with_origin_if_none(value: Value, origin: impl FnOnce() -> Origin) -> Value {
    if value.loc.is_some() {
        value.with_origin_if_none(origin)
    } else {
        value
    }
}

fn fill_loc(mut value: Value, loc: Loc) -> Value {
    if value.loc.is_none() {
        value.loc = Some(loc);
    }
    value
}

/// A member of a value reached by `.name` or `[i]`: it was written inside its container,
/// so it travelled the same way.
fn member_of(container: &Value, member: &Value) -> Value {
    let mut member = member.clone();
    if member.origin.is_none() {
        member.origin = container.origin.clone();
    }
    if member.loc.is_none() {
        member.loc = container.loc;
    }
    member
}

impl<'b> Evaluator<'b> {
    pub fn new(budget: &'b Budget) -> Evaluator<'b> {
        Evaluator {
            depth: Cell::new(0),
            budget,
        }
    }

    /// One level deeper; `None` past [`MAX_DEPTH`].
    fn enter(&self) -> Option<DepthGuard<'_>> {
        if self.depth.get() >= MAX_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        Some(DepthGuard(&self.depth))
    }

    /// `value` if the budget takes it, else unknown as `text` (reported when too large).
    fn charged(&self, value: Value, text: &str, loc: Loc) -> Value {
        match self.budget.charge(&value) {
            Ok(()) => value,
            Err(limit) => {
                if limit == Limit::TooLarge {
                    self.budget.stop_at(Some(loc), text, limit);
                }
                Value::unknown(text, Some(loc))
            }
        }
    }

    pub fn eval_json(&self, scope: &Scope<'_>, json: &Json, env: &Env) -> Value {
        let loc = Some(json.loc);
        let _guard = match &json.node {
            Node::Object(_) | Node::Array(_) => match self.enter() {
                Some(guard) => Some(guard),
                None => return Value::unknown("(nested too deeply)", loc),
            },
            _ => None,
        };
        match &json.node {
            Node::String(s) => self.eval_string(scope, s, json.loc, env),
            Node::Object(_) => self.eval_object(scope, json, env, &[]),
            Node::Array(items) => Value::list(
                items
                    .iter()
                    .map(|i| self.eval_json(scope, i, env))
                    .collect(),
                loc,
            ),
            Node::Null => Value::new(Kind::Null, loc),
            Node::Bool(b) => Value::bool(*b, loc),
            Node::Number(n) => Value::number(*n, loc),
        }
    }

    /// An object with its property-level `copy` loops expanded; the properties named in
    /// `verbatim` are not evaluated.
    pub fn eval_object(
        &self,
        scope: &Scope<'_>,
        json: &Json,
        env: &Env,
        verbatim: &[(&str, Verbatim)],
    ) -> Value {
        let mut entries = Vec::new();
        for prop in json.as_object().unwrap_or(&[]) {
            let special = verbatim
                .iter()
                .find(|(k, _)| prop.key.eq_ignore_ascii_case(k));
            if let Some((_, how)) = special {
                let value = match how {
                    Verbatim::Literal => prop.value.to_value(),
                    Verbatim::Opaque(why) => Value::unknown(*why, Some(prop.value.loc)),
                };
                entries.push(Entry {
                    key: prop.key.clone(),
                    key_loc: Some(prop.loc),
                    value,
                });
            } else if prop.key.eq_ignore_ascii_case("copy") && is_property_copy(&prop.value) {
                for element in prop.value.as_array().unwrap_or(&[]) {
                    let (name, value) = self.copy_list(scope, element, env);
                    entries.push(Entry {
                        key: name,
                        key_loc: Some(element.loc),
                        value,
                    });
                }
            } else {
                entries.push(Entry {
                    key: prop.key.clone(),
                    key_loc: Some(prop.loc),
                    value: self.eval_json(scope, &prop.value, env),
                });
            }
        }
        Value::map(entries, Some(json.loc))
    }

    /// One `{"name", "count", "input"}` loop: the name and the list it produces.
    fn copy_list(&self, scope: &Scope<'_>, element: &Json, env: &Env) -> (String, Value) {
        let name = element
            .get("name")
            .map(|n| self.eval_json(scope, n, env))
            .and_then(|n| functions::scalar_text(&n))
            .unwrap_or_default();
        let count = element
            .get("count")
            .map(|c| self.eval_json(scope, c, env))
            .and_then(|c| c.as_number());
        let loc = Some(element.loc);
        let Some(input) = element.get("input") else {
            return (name.clone(), Value::unknown(format!("copy `{name}`"), loc));
        };
        let value = match count.and_then(copy_count) {
            Some(n) => {
                let mut items = Vec::new();
                for i in 0..n {
                    let env = env.with(Bind::Copy {
                        name: name.clone(),
                        index: Some(i as i64),
                        resource: false,
                    });
                    let item = self.eval_json(scope, input, &env);
                    if let Err(limit) = self.budget.charge(&item) {
                        let text = format!("copy `{name}`");
                        self.budget.stop_at(loc, &text, limit);
                        return (name, Value::unknown(text, loc));
                    }
                    items.push(item);
                }
                let list = Value::list(items, loc);
                // The whole list, against the size limit.
                match self.budget.charge(&list) {
                    Err(Limit::TooLarge) => {
                        let text = format!("copy `{name}`");
                        self.budget.stop_at(loc, &text, Limit::TooLarge);
                        Value::unknown(text, loc)
                    }
                    _ => list,
                }
            }
            None => Value::unknown(format!("copy `{name}`"), loc),
        };
        (name, value)
    }

    pub fn eval_string(&self, scope: &Scope<'_>, s: &str, loc: Loc, env: &Env) -> Value {
        match expr::classify_string(s) {
            StringForm::Literal(text) => Value::string(text, Some(loc)),
            StringForm::Expression(text) => match expr::parse(text) {
                Some(e) => {
                    let expression = self.budget.expression();
                    let value = self.eval(scope, &e, text, loc, env);
                    if expression.ran_out() {
                        self.budget.stop_at(Some(loc), text, Limit::Exhausted);
                    }
                    self.budget.keep(&value);
                    fill_loc(value, loc)
                }
                None => Value::unknown(text.trim(), Some(loc)),
            },
        }
    }

    fn eval(&self, scope: &Scope<'_>, e: &Expr, src: &str, loc: Loc, env: &Env) -> Value {
        let text = src.get(e.start..e.end).unwrap_or(src).trim();
        let Some(_guard) = self.enter() else {
            self.budget
                .stop_at(Some(loc), text, Limit::TooDeep(MAX_DEPTH));
            return Value::unknown(text, Some(loc));
        };
        if !self.budget.spend(1) {
            return Value::unknown(text, Some(loc));
        }
        let unknown = || Value::unknown(text, Some(loc));
        let value = match &e.kind {
            ExprKind::String(s) => Value::string(s.clone(), Some(loc)),
            ExprKind::Number(n) => Value::number(*n, Some(loc)),
            ExprKind::Member { target, name } => {
                let container = self.eval(scope, target, src, loc, env);
                match (container.get_ci(name), &container.kind) {
                    (Some(member), _) => member_of(&container, member),
                    // Keep what is known of the container (`reference('<id>')`) so links
                    // such as a kubelet identity's cluster can still be found.
                    (None, Kind::Unknown(inner)) => {
                        let text = format!("{inner}.{name}");
                        match container.referent.as_ref().and_then(|r| r.member(name)) {
                            Some(referent) => Value::unknown_referring(text, Some(loc), referent),
                            None => Value::unknown(text, Some(loc)),
                        }
                    }
                    (None, _) => unknown(),
                }
            }
            ExprKind::Index { target, index } => {
                let container = self.eval(scope, target, src, loc, env);
                let index = self.eval(scope, index, src, loc, env);
                let member = match (&container.kind, &index.kind) {
                    (Kind::List(items), Kind::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => {
                        items.get(*n as usize)
                    }
                    (Kind::Map(_), Kind::String(key)) => container.get_ci(key),
                    _ => None,
                };
                match member {
                    Some(member) => member_of(&container, member),
                    None => unknown(),
                }
            }
            ExprKind::Call { name, args } => self
                .call(scope, name, args, src, loc, env)
                .unwrap_or_else(unknown),
        };
        self.charged(value, text, loc)
    }

    fn call(
        &self,
        scope: &Scope<'_>,
        name: &str,
        args: &[Expr],
        src: &str,
        loc: Loc,
        env: &Env,
    ) -> Option<Value> {
        let lname = name.to_ascii_lowercase();
        let arg =
            |i: usize| -> Option<Value> { Some(self.eval(scope, args.get(i)?, src, loc, env)) };
        match lname.as_str() {
            "parameters" | "variables" => {
                let key = arg(0)?;
                let key = key.as_str()?;
                let value = if lname == "parameters" {
                    self.parameter(scope, key)
                } else {
                    self.variable(scope, key)
                };
                return value.map(|v| fill_loc(v, loc));
            }
            "if" => {
                if args.len() != 3 {
                    return None;
                }
                return match arg(0)?.as_bool() {
                    Some(true) => arg(1),
                    Some(false) => arg(2),
                    None => {
                        // Both branches alike: the condition does not matter.
                        let (a, b) = (arg(1)?, arg(2)?);
                        (functions::equal(&a, &b) == Some(true)).then_some(a)
                    }
                };
            }
            "and" | "or" => {
                let decisive = lname == "or";
                let mut unknown = false;
                for i in 0..args.len() {
                    match arg(i)?.as_bool() {
                        Some(b) if b == decisive => return Some(Value::bool(decisive, Some(loc))),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                return (!unknown && !args.is_empty()).then(|| Value::bool(!decisive, Some(loc)));
            }
            "coalesce" => {
                for i in 0..args.len() {
                    let value = arg(i)?;
                    if value.is_unknown() {
                        return None;
                    }
                    if !value.is_null() {
                        return Some(value);
                    }
                }
                return Some(Value::new(Kind::Null, Some(loc)));
            }
            "copyindex" => {
                let (name, offset) = match (arg(0), arg(1)) {
                    (None, _) => (None, 0.0),
                    (Some(first), second) => match (&first.kind, second) {
                        (Kind::String(name), None) => (Some(name.clone()), 0.0),
                        (Kind::String(name), Some(offset)) => {
                            (Some(name.clone()), offset.as_number()?)
                        }
                        (Kind::Number(offset), None) => (None, *offset),
                        _ => return None,
                    },
                };
                let index = env.copy_index(name.as_deref())??;
                return Some(Value::number(index as f64 + offset, Some(loc)));
            }
            "lambdavariables" => {
                let name = arg(0)?;
                return env.lambda(name.as_str()?).cloned();
            }
            "filter" | "map" | "reduce" | "sort" | "toobject" | "mapvalues" | "groupby" => {
                return self.lambda_call(scope, &lname, args, src, loc, env);
            }
            "reference" => {
                // What the deployment returns is unknown, but which resource it reads is
                // often known: keep it in the unknown's text (`reference('<id>')`).
                let target = arg(0)?;
                let target = target.as_str()?;
                if let Some(deployment) = self.deployment_outputs(scope, target) {
                    return Some(deployment);
                }
                return Some(Value::unknown_referring(
                    format!("reference('{target}')"),
                    Some(loc),
                    Referent::deployed(target, ""),
                ));
            }
            n if functions::decided_at_deployment(n) => return None,
            n if n.contains('.') => return self.user_function(scope, name, args, src, loc, env),
            _ => {}
        }
        let values: Vec<Value> = (0..args.len()).filter_map(arg).collect();
        crate::value::take_refused();
        let value = functions::call(&lname, values, Some(loc));
        if let (None, Some(limit)) = (&value, crate::value::take_refused()) {
            self.budget.stop_at(Some(loc), src, limit);
        }
        value
    }

    fn parameter(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let (declared, source) = scope
            .params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        self.resolve(scope, (false, name), || {
            let missing = || Value::unknown(format!("parameters('{declared}')"), None);
            match source {
                ParamSource::Given(value) => value.clone(),
                ParamSource::Declared(decl) => match decl.get("defaultValue") {
                    Some(default) => {
                        with_origin_if_none(self.eval_json(scope, default, &Env::default()), || {
                            Origin::ParameterDefault {
                                name: declared.to_string(),
                            }
                        })
                    }
                    None => match decl.prop("nullable") {
                        Some(nullable)
                            if scope.complete
                                && nullable.value.to_value().as_bool() == Some(true) =>
                        {
                            Value::new(Kind::Null, Some(nullable.loc)).with_origin(
                                Origin::NotPassed {
                                    name: declared.to_string(),
                                },
                            )
                        }
                        _ => missing(),
                    },
                },
            }
        })
    }

    fn variable(&self, scope: &Scope<'_>, name: &str) -> Option<Value> {
        let variables = scope.variables?;
        let direct = variables
            .as_object()?
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(name) && !p.key.eq_ignore_ascii_case("copy"));
        let looped = || {
            variables.get("copy")?.as_array()?.iter().find(|c| {
                c.get("name")
                    .and_then(Json::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        };
        if direct.is_none() && looped().is_none() {
            return None;
        }
        self.resolve(scope, (true, name), || {
            let value = match (direct, looped()) {
                (Some(prop), _) => self.eval_json(scope, &prop.value, &Env::default()),
                (None, Some(element)) => self.copy_list(scope, element, &Env::default()).1,
                (None, None) => Value::unknown(format!("variables('{name}')"), None),
            };
            let key = direct.map_or(name, |p| p.key.as_str());
            with_origin_if_none(value, || Origin::Variable {
                name: key.to_string(),
            })
        })
    }

    /// Evaluates a parameter or variable once per scope; a cycle comes out unknown.
    /// `reference(<deployment>).outputs`: a nested deployment of this template with an
    /// inline template (how Bicep compiles a module) has outputs that evaluate like the
    /// rest of it, with the parameters the deployment passes. Anything else it returns is
    /// known only after deployment.
    fn deployment_outputs(&self, scope: &Scope<'_>, target: &str) -> Option<Value> {
        let marker = "/providers/microsoft.resources/deployments/";
        let lower = target.to_ascii_lowercase();
        let (name, symbolic) = match lower.find(marker) {
            Some(at) => (&target[at + marker.len()..], false),
            // languageVersion 2.0: `reference('<symbolic name>')`.
            None if !target.contains('/') => (target, true),
            None => return None,
        };
        if name.contains('/') || name.starts_with('{') {
            return None;
        }
        let resources = scope.resources?;
        let is_deployment = |r: &Json| {
            r.get("type")
                .and_then(Json::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"))
                && r.get("copy").is_none()
        };
        let named = |r: &Json| {
            r.get("name")
                .map(|n| self.eval_json(scope, n, &Env::default()))
                .and_then(|n| n.as_str().map(|n| n.eq_ignore_ascii_case(name)))
                == Some(true)
        };
        let deployment = if symbolic {
            resources.get(name).filter(|r| is_deployment(r))?
        } else {
            let candidates: Vec<&Json> = match (resources.as_array(), resources.as_object()) {
                (Some(items), _) => items.iter().collect(),
                (None, Some(props)) => props.iter().map(|p| &p.value).collect(),
                _ => return None,
            };
            candidates
                .into_iter()
                .find(|r| is_deployment(r) && named(r))?
        };
        let template = deployment
            .get("properties")?
            .get("template")
            .filter(|t| t.as_object().is_some())?;
        let outputs = template.get("outputs")?.as_object()?;
        self.resolve(scope, (false, &format!("deployment:{name}")), || {
            let properties = deployment.get("properties").map(|p| {
                self.eval_object(
                    scope,
                    p,
                    &Env::default(),
                    &[("template", Verbatim::Opaque(super::INLINE_TEMPLATE))],
                )
            });
            let inner = inner_scope(properties.as_ref());
            let given = passed_parameters(properties.as_ref(), name);
            let inner_scope = Scope::new(template, given, true);
            let evaluate_in = if inner { &inner_scope } else { scope };
            let entries = outputs
                .iter()
                .map(|output| {
                    let value = output
                        .value
                        .get("value")
                        .map(|v| self.eval_json(evaluate_in, v, &Env::default()))
                        .unwrap_or_else(|| Value::unknown(output.key.clone(), None))
                        .with_origin(Origin::DeploymentOutput {
                            name: output.key.clone(),
                            deployment: name.to_string(),
                        });
                    Entry {
                        key: output.key.clone(),
                        key_loc: Some(output.loc),
                        value: Value::map(
                            vec![Entry {
                                key: "value".to_string(),
                                key_loc: None,
                                value,
                            }],
                            None,
                        ),
                    }
                })
                .collect();
            Value::map(
                vec![Entry {
                    key: "outputs".to_string(),
                    key_loc: None,
                    value: Value::map(entries, None),
                }],
                None,
            )
        })
    }

    fn resolve(
        &self,
        scope: &Scope<'_>,
        (is_variable, name): (bool, &str),
        compute: impl FnOnce() -> Value,
    ) -> Option<Value> {
        let key = (is_variable, name.to_ascii_lowercase());
        scope.cache.resolve(key, || {
            let _guard = self.enter()?;
            Some(compute())
        })
    }

    /// `namespace.name(...)` from the template's `functions` section (Bicep emits these as
    /// `__bicep.name`). Its body sees only its own parameters.
    fn user_function(
        &self,
        scope: &Scope<'_>,
        name: &str,
        args: &[Expr],
        src: &str,
        loc: Loc,
        env: &Env,
    ) -> Option<Value> {
        let (namespace, member) = name.split_once('.')?;
        let definition = scope
            .functions?
            .as_array()?
            .iter()
            .filter(|ns| {
                ns.get("namespace")
                    .and_then(Json::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(namespace))
            })
            .find_map(|ns| ns.get("members")?.get(member))?;
        let output = definition.get("output")?.get("value")?;
        let declared = definition
            .get("parameters")
            .and_then(Json::as_array)
            .unwrap_or(&[]);
        let mut params = Vec::new();
        for (i, decl) in declared.iter().enumerate() {
            let param_name = decl.get("name")?.as_str()?.to_string();
            let value = self.eval(scope, args.get(i)?, src, loc, env);
            params.push((param_name, value));
        }
        let _guard = self.enter()?;
        let function_scope = Scope::for_function(params, scope.functions);
        let result = self.eval_json(&function_scope, output, &Env::default());
        Some(Value {
            loc: Some(loc),
            origin: None,
            ..result
        })
    }

    /// The functions taking `lambda(...)` arguments, evaluated element by element.
    fn lambda_call(
        &self,
        scope: &Scope<'_>,
        name: &str,
        args: &[Expr],
        src: &str,
        loc: Loc,
        env: &Env,
    ) -> Option<Value> {
        let input = self.eval(scope, args.first()?, src, loc, env);
        let apply = |lambda: &Expr, values: Vec<Value>| -> Option<Value> {
            let (params, body) = lambda_parts(lambda)?;
            let mut inner = env.clone();
            for (param, value) in params.iter().zip(values) {
                inner = inner.with(Bind::Lambda {
                    name: param.clone(),
                    value,
                });
            }
            Some(self.eval(scope, body, src, loc, &inner))
        };
        let index = |i: usize| Value::number(i as f64, Some(loc));
        if name == "mapvalues" {
            let lambda = args.get(1)?;
            let mut entries = Vec::new();
            for e in input.as_map()?.iter().take(MAX_ITEMS) {
                let value = apply(lambda, vec![e.value.clone()])?;
                entries.push(Entry { value, ..e.clone() });
            }
            return Some(Value::map(entries, Some(loc)));
        }
        let items = input.as_list()?;
        if items.len() > MAX_ITEMS {
            return None;
        }
        match name {
            "filter" => {
                let lambda = args.get(1)?;
                let mut kept = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if apply(lambda, vec![item.clone(), index(i)])?.as_bool()? {
                        kept.push(item.clone());
                    }
                }
                Some(Value::list(kept, Some(loc)))
            }
            "map" => {
                let lambda = args.get(1)?;
                let mapped = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| apply(lambda, vec![item.clone(), index(i)]))
                    .collect::<Option<Vec<_>>>()?;
                Some(Value::list(mapped, Some(loc)))
            }
            "reduce" => {
                let mut acc = self.eval(scope, args.get(1)?, src, loc, env);
                let lambda = args.get(2)?;
                for (i, item) in items.iter().enumerate() {
                    acc = apply(lambda, vec![acc, item.clone(), index(i)])?;
                }
                Some(acc)
            }
            "sort" => {
                if items.len() > MAX_SORT {
                    return None;
                }
                let lambda = args.get(1)?;
                // Insertion sort: a comparator that is not a total order cannot make it panic.
                let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
                for item in items {
                    let mut at = sorted.len();
                    while at > 0 {
                        let before = apply(lambda, vec![item.clone(), sorted[at - 1].clone()])?;
                        if before.as_bool()? {
                            at -= 1;
                        } else {
                            break;
                        }
                    }
                    sorted.insert(at, item.clone());
                }
                Some(Value::list(sorted, Some(loc)))
            }
            "toobject" => {
                let key_lambda = args.get(1)?;
                let mut entries: Vec<Entry> = Vec::new();
                for item in items {
                    let key = functions::scalar_text(&apply(key_lambda, vec![item.clone()])?)?;
                    let value = match args.get(2) {
                        Some(value_lambda) => apply(value_lambda, vec![item.clone()])?,
                        None => item.clone(),
                    };
                    entries.retain(|e| !e.key.eq_ignore_ascii_case(&key));
                    entries.push(Entry {
                        key,
                        key_loc: Some(loc),
                        value,
                    });
                }
                Some(Value::map(entries, Some(loc)))
            }
            "groupby" => {
                let key_lambda = args.get(1)?;
                let mut entries: Vec<Entry> = Vec::new();
                for item in items {
                    let key = functions::scalar_text(&apply(key_lambda, vec![item.clone()])?)?;
                    match entries.iter_mut().find(|e| e.key == key) {
                        Some(group) => {
                            if let Kind::List(members) = &mut group.value.kind {
                                members.push(item.clone());
                            }
                        }
                        None => entries.push(Entry {
                            key,
                            key_loc: Some(loc),
                            value: Value::list(vec![item.clone()], Some(loc)),
                        }),
                    }
                }
                Some(Value::map(entries, Some(loc)))
            }
            _ => None,
        }
    }
}

/// `lambda('a', 'b', body)`: the parameter names and the body.
fn lambda_parts(e: &Expr) -> Option<(Vec<String>, &Expr)> {
    let ExprKind::Call { name, args } = &e.kind else {
        return None;
    };
    if !name.eq_ignore_ascii_case("lambda") {
        return None;
    }
    let (body, params) = args.split_last()?;
    let names = params
        .iter()
        .map(|p| match &p.kind {
            ExprKind::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((names, body))
}

/// A property-level (or variables-level) `copy`: an array of `{"name", "count", "input"}`.
/// A resource's own `copy` is a single object and does not match.
fn is_property_copy(json: &Json) -> bool {
    json.as_array().is_some_and(|elements| {
        !elements.is_empty()
            && elements
                .iter()
                .all(|e| e.get("name").is_some() && e.get("input").is_some())
    })
}

/// A copy count ARM would accept and we are willing to expand.
pub(crate) fn copy_count(n: f64) -> Option<usize> {
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_COPY as f64).then_some(n as usize)
}
