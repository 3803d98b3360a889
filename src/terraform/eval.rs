//! Offline evaluation of Terraform expressions over hcl-edit's span-carrying syntax tree.
//! Whatever cannot be known without a plan (data sources, computed attributes, variables
//! without a value) becomes `Kind::Unknown` holding the source text, never an error.

use super::functions;
use super::module::Module;
use crate::source::{FileId, Loc};
use crate::value::{format_number, Entry, Kind, Limit, Referent, Value};
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use std::rc::Rc;

const MAX_DEPTH: usize = 64;
/// Bounds a `for` expression or splat over a huge known collection.
const MAX_ITEMS: usize = 10_000;

/// Names bound while evaluating: `each`, `count`, `for` variables, dynamic block iterators.
/// Shared, so a loop iteration does not copy the values its outer loops bound.
#[derive(Clone, Default)]
pub struct Scope {
    bindings: Vec<Rc<(String, Value)>>,
}

impl Scope {
    pub fn with(&self, name: &str, value: Value) -> Scope {
        let mut next = self.clone();
        next.bindings.push(Rc::new((name.to_string(), value)));
        next
    }
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|b| b.0 == name)
            .map(|b| &b.1)
    }
}

pub struct Evaluator<'m> {
    pub module: &'m Module,
    pub file: FileId,
    pub depth: usize,
    /// An expression of this evaluator is being evaluated: its sub-expressions share its
    /// work allowance.
    in_expression: bool,
}

impl<'m> Evaluator<'m> {
    pub fn new(module: &'m Module, file: FileId) -> Evaluator<'m> {
        Evaluator {
            module,
            file,
            depth: 0,
            in_expression: false,
        }
    }

    fn loc(&self, expr: &impl Span) -> Option<Loc> {
        expr.span().map(|r| Loc::new(self.file, r.start, r.end))
    }

    fn text(&self, expr: &impl Span) -> String {
        let source = self.module.text(self.file);
        expr.span()
            .and_then(|r| source.get(r))
            .unwrap_or("<expression>")
            .to_string()
    }

    /// A repeated object key, read from the text it was written as (the syntax tree holds
    /// a stand-in name, see `repeated_keys`).
    fn written_key(&mut self, written: &str, scope: &Scope) -> Option<String> {
        if let Some(name) = super::repeated_keys::literal_key(written) {
            return Some(name.to_string());
        }
        let expr = hcl_edit::parser::parse_expr(written).ok()?;
        self.eval(&expr, scope).to_text()
    }

    fn unknown(&self, expr: &impl Span) -> Value {
        Value::unknown(self.text(expr), self.loc(expr))
    }

    /// Unknown as `expr`; still known not to be null when `whole` (the reference is the
    /// value itself, not an attribute of it) and `value` was.
    fn unknown_like(&self, expr: &impl Span, value: &Value, whole: bool) -> Value {
        let unknown = self.unknown(expr);
        if whole && is_non_null(value) {
            // Keeps the resource an ID names, for links through variables and locals.
            Value {
                referent: value.referent.clone(),
                ..unknown
            }
        } else {
            unknown
        }
    }

    /// `type.name.id`: unknown but never null, remembering the resource's full address.
    fn resource_id(&self, expr: &impl Span, resource_type: &str, address: Option<String>) -> Value {
        Value::unknown_referring(
            self.text(expr),
            self.loc(expr),
            Referent::terraform_id(resource_type, address),
        )
    }

    pub fn eval(&mut self, expr: &Expression, scope: &Scope) -> Value {
        // A value written in the file is known whatever the rest of the root cost.
        if matches!(
            expr,
            Expression::Null(_)
                | Expression::Bool(_)
                | Expression::Number(_)
                | Expression::String(_)
        ) {
            return self.eval_inner(expr, scope);
        }
        let budget = &self.module.shared().budget;
        // So is an array or object written in the file: its computed elements are charged.
        if matches!(expr, Expression::Array(_) | Expression::Object(_)) {
            if self.depth > MAX_DEPTH {
                budget.stop_at(self.loc(expr), &self.text(expr), Limit::TooDeep(MAX_DEPTH));
                return self.unknown(expr);
            }
            self.depth += 1;
            let value = self.eval_inner(expr, scope);
            self.depth -= 1;
            if budget.check_size(&value).is_err() {
                budget.stop_at(self.loc(expr), &self.text(expr), Limit::TooLarge);
                return self.unknown(expr);
            }
            return value;
        }
        let expression = (!self.in_expression).then(|| budget.expression());
        self.in_expression = true;
        let value = self.eval_charged(expr, scope);
        if let Some(expression) = expression {
            self.in_expression = false;
            if expression.ran_out() {
                budget.stop_at(self.loc(expr), &self.text(expr), Limit::Exhausted);
            }
            budget.keep(&value);
        }
        value
    }

    fn eval_charged(&mut self, expr: &Expression, scope: &Scope) -> Value {
        let budget = &self.module.shared().budget;
        if self.depth > MAX_DEPTH {
            budget.stop_at(self.loc(expr), &self.text(expr), Limit::TooDeep(MAX_DEPTH));
            return self.unknown(expr);
        }
        if budget.exhausted() {
            return self.unknown(expr);
        }
        self.depth += 1;
        let value = self.eval_inner(expr, scope);
        self.depth -= 1;
        match budget.charge(&value) {
            Ok(()) => value,
            Err(limit) => {
                if limit == Limit::TooLarge {
                    budget.stop_at(self.loc(expr), &self.text(expr), limit);
                }
                self.unknown(expr)
            }
        }
    }

    fn eval_inner(&mut self, expr: &Expression, scope: &Scope) -> Value {
        let loc = self.loc(expr);
        match expr {
            Expression::Null(_) => Value::new(Kind::Null, loc),
            Expression::Bool(b) => Value::bool(*b.value(), loc),
            Expression::Number(n) => Value::number(n.value().as_f64().unwrap_or(0.0), loc),
            Expression::String(s) => Value::string(s.value().clone(), loc),
            Expression::Array(items) => {
                let values = items.iter().map(|e| self.eval(e, scope)).collect();
                Value::list(values, loc)
            }
            Expression::Object(object) => {
                let mut entries = Vec::with_capacity(object.len());
                let mut seen = std::collections::HashSet::new();
                for (key, value) in object.iter() {
                    let renamed = key
                        .span()
                        .and_then(|r| self.module.renamed_key(self.file, r.start));
                    let key_text = match (renamed, key) {
                        (Some(written), _) => match self.written_key(written, scope) {
                            Some(text) => text,
                            None => return self.unknown(expr),
                        },
                        (None, ObjectKey::Ident(ident)) => ident.as_str().to_string(),
                        (None, ObjectKey::Expression(e)) => match self.eval(e, scope).to_text() {
                            Some(text) => text,
                            None => return self.unknown(expr),
                        },
                    };
                    // As in Terraform, a repeated key replaces the earlier entry.
                    if !seen.insert(key_text.clone()) {
                        entries.retain(|e: &Entry| e.key != key_text);
                    }
                    let key_loc = match (key.span(), value.expr().span()) {
                        (Some(k), Some(v)) => Some(Loc::new(self.file, k.start, v.end)),
                        _ => None,
                    };
                    let value = self.eval(value.expr(), scope);
                    entries.push(Entry {
                        key: key_text,
                        key_loc,
                        value,
                    });
                }
                Value::map(entries, loc)
            }
            Expression::StringTemplate(template) => self.template(template, scope, expr),
            Expression::HeredocTemplate(heredoc) => self.template(&heredoc.template, scope, expr),
            Expression::Parenthesis(inner) => self.eval(inner.inner(), scope),
            Expression::Variable(name) => self.variable(name.as_str(), scope, expr),
            Expression::Conditional(cond) => {
                match self.eval(&cond.cond_expr, scope).as_bool() {
                    Some(true) => self.eval(&cond.true_expr, scope),
                    Some(false) => self.eval(&cond.false_expr, scope),
                    None => {
                        // Both branches agreeing makes the condition irrelevant.
                        let a = self.eval(&cond.true_expr, scope);
                        let b = self.eval(&cond.false_expr, scope);
                        if !a.has_unknown() && same_value(&a, &b) {
                            a
                        } else {
                            self.unknown(expr)
                        }
                    }
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if call.name.is_namespaced() {
                    return self.unknown(expr);
                }
                match name {
                    // `try` and `can` need the arguments unevaluated: an error is a fallback.
                    "try" => {
                        for arg in call.args.iter() {
                            let v = self.eval(arg, scope);
                            if v.is_unknown() {
                                return self.unknown(expr);
                            }
                            if !is_error(&v) {
                                return v;
                            }
                        }
                        self.unknown(expr)
                    }
                    "can" => match call.args.get(0).map(|a| self.eval(a, scope)) {
                        Some(v) if v.is_unknown() => self.unknown(expr),
                        Some(v) => Value::bool(!is_error(&v), loc),
                        None => self.unknown(expr),
                    },
                    _ => {
                        let mut args: Vec<Value> =
                            call.args.iter().map(|a| self.eval(a, scope)).collect();
                        if call.args.expand_final() {
                            if let Some(last) = args.pop() {
                                match last.kind {
                                    Kind::List(items) => args.extend(items),
                                    _ => return self.unknown(expr),
                                }
                            }
                        }
                        crate::value::take_refused();
                        match functions::call(name, args, loc) {
                            Some(v) => v,
                            None => {
                                if let Some(limit) = crate::value::take_refused() {
                                    self.module.shared().budget.stop_at(
                                        loc,
                                        &self.text(expr),
                                        limit,
                                    );
                                }
                                self.unknown(expr)
                            }
                        }
                    }
                }
            }
            Expression::Traversal(traversal) => {
                let base = self.eval(&traversal.expr, scope);
                self.traverse(base, &traversal.operators, scope, expr)
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr, scope);
                match (op.operator.value(), &v.kind) {
                    (UnaryOperator::Not, _) => match v.as_bool() {
                        Some(b) => Value::bool(!b, loc),
                        None => self.unknown(expr),
                    },
                    (UnaryOperator::Neg, _) => match v.as_number() {
                        Some(n) => Value::number(-n, loc),
                        None => self.unknown(expr),
                    },
                }
            }
            Expression::BinaryOp(op) => self.binary(op, scope, expr),
            Expression::ForExpr(for_expr) => self.for_expr(for_expr, scope, expr),
        }
    }

    fn binary(&mut self, op: &hcl_edit::expr::BinaryOp, scope: &Scope, expr: &Expression) -> Value {
        let loc = self.loc(expr);
        let lhs = self.eval(&op.lhs_expr, scope);
        let operator = *op.operator.value();
        // Short-circuit on a decisive known operand even when the other is unknown.
        match operator {
            BinaryOperator::And if lhs.as_bool() == Some(false) => return Value::bool(false, loc),
            BinaryOperator::Or if lhs.as_bool() == Some(true) => return Value::bool(true, loc),
            _ => {}
        }
        let rhs = self.eval(&op.rhs_expr, scope);
        match operator {
            BinaryOperator::And => match (lhs.as_bool(), rhs.as_bool()) {
                (_, Some(false)) => Value::bool(false, loc),
                (Some(a), Some(b)) => Value::bool(a && b, loc),
                _ => self.unknown(expr),
            },
            BinaryOperator::Or => match (lhs.as_bool(), rhs.as_bool()) {
                (_, Some(true)) => Value::bool(true, loc),
                (Some(a), Some(b)) => Value::bool(a || b, loc),
                _ => self.unknown(expr),
            },
            BinaryOperator::Eq | BinaryOperator::NotEq => {
                // A resource ID compared with null: decided although its value is not known.
                if (lhs.is_null() && is_non_null(&rhs)) || (rhs.is_null() && is_non_null(&lhs)) {
                    return Value::bool(operator == BinaryOperator::NotEq, loc);
                }
                if lhs.has_unknown() || rhs.has_unknown() {
                    return self.unknown(expr);
                }
                let equal = same_value(&lhs, &rhs);
                Value::bool(equal == (operator == BinaryOperator::Eq), loc)
            }
            _ => {
                let (Some(a), Some(b)) = (lhs.as_number(), rhs.as_number()) else {
                    return self.unknown(expr);
                };
                match operator {
                    BinaryOperator::Plus => Value::number(a + b, loc),
                    BinaryOperator::Minus => Value::number(a - b, loc),
                    BinaryOperator::Mul => Value::number(a * b, loc),
                    BinaryOperator::Div if b != 0.0 => Value::number(a / b, loc),
                    BinaryOperator::Mod if b != 0.0 => Value::number(a % b, loc),
                    BinaryOperator::Less => Value::bool(a < b, loc),
                    BinaryOperator::LessEq => Value::bool(a <= b, loc),
                    BinaryOperator::Greater => Value::bool(a > b, loc),
                    BinaryOperator::GreaterEq => Value::bool(a >= b, loc),
                    _ => self.unknown(expr),
                }
            }
        }
    }

    fn for_expr(
        &mut self,
        for_expr: &hcl_edit::expr::ForExpr,
        scope: &Scope,
        expr: &Expression,
    ) -> Value {
        let loc = self.loc(expr);
        let collection = self.eval(&for_expr.intro.collection_expr, scope);
        let pairs = match iterate(&collection) {
            Some(p) if p.len() <= MAX_ITEMS => p,
            _ => return self.unknown(expr),
        };
        let key_var = for_expr
            .intro
            .key_var
            .as_ref()
            .map(|k| k.as_str().to_string());
        let value_var = for_expr.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (key, value) in pairs {
            if !self.module.spend(1) {
                return self.unknown(expr);
            }
            let mut inner = scope.with(&value_var, value);
            if let Some(k) = &key_var {
                inner = inner.with(k, key);
            }
            if let Some(cond) = &for_expr.cond {
                match self.eval(&cond.expr, &inner).as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return self.unknown(expr),
                }
            }
            let item = self.eval(&for_expr.value_expr, &inner);
            match &for_expr.key_expr {
                None => list.push(item),
                Some(key_expr) => {
                    let Some(key) = self.eval(key_expr, &inner).to_text() else {
                        return self.unknown(expr);
                    };
                    if for_expr.grouping {
                        match entries.iter_mut().find(|e| e.key == key) {
                            Some(e) => {
                                if let Kind::List(items) = &mut e.value.kind {
                                    items.push(item)
                                }
                            }
                            None => entries.push(Entry {
                                key,
                                key_loc: None,
                                value: Value::list(vec![item], loc),
                            }),
                        }
                    } else {
                        entries.retain(|e| e.key != key);
                        entries.push(Entry {
                            key,
                            key_loc: None,
                            value: item,
                        });
                    }
                }
            }
        }
        if for_expr.key_expr.is_some() {
            Value::map(entries, loc)
        } else {
            Value::list(list, loc)
        }
    }

    fn template(&mut self, template: &Template, scope: &Scope, expr: &Expression) -> Value {
        // `"${x}"` alone is x itself, of any type (as in Terraform).
        let mut elements = template.iter();
        if let (Some(Element::Interpolation(interp)), None) = (elements.next(), elements.next()) {
            return self.eval(&interp.expr, scope);
        }
        let mut out = String::new();
        if self.render(template, scope, &mut out) {
            Value::string(out, self.loc(expr))
        } else {
            self.unknown(expr)
        }
    }

    fn render(&mut self, template: &Template, scope: &Scope, out: &mut String) -> bool {
        for element in template.iter() {
            match element {
                Element::Literal(text) => out.push_str(text.value()),
                Element::Interpolation(interp) => match self.eval(&interp.expr, scope).to_text() {
                    Some(text) => out.push_str(&text),
                    None => return false,
                },
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(d) => match self.eval(&d.if_expr.cond_expr, scope).as_bool() {
                        Some(true) => {
                            if !self.render(&d.if_expr.template, scope, out) {
                                return false;
                            }
                        }
                        Some(false) => {
                            if let Some(e) = &d.else_expr {
                                if !self.render(&e.template, scope, out) {
                                    return false;
                                }
                            }
                        }
                        None => return false,
                    },
                    Directive::For(d) => {
                        let collection = self.eval(&d.for_expr.collection_expr, scope);
                        let Some(pairs) = iterate(&collection) else {
                            return false;
                        };
                        for (key, value) in pairs.into_iter().take(MAX_ITEMS) {
                            let mut inner = scope.with(d.for_expr.value_var.as_str(), value);
                            if let Some(k) = &d.for_expr.key_var {
                                inner = inner.with(k.as_str(), key);
                            }
                            let before = out.len();
                            if !self.render(&d.for_expr.template, &inner, out) {
                                return false;
                            }
                            // The text each round adds is work, literal text included.
                            if !self.module.spend(1 + (out.len() - before) / 64) {
                                return false;
                            }
                        }
                    }
                },
            }
        }
        true
    }

    fn variable(&mut self, name: &str, scope: &Scope, expr: &Expression) -> Value {
        if let Some(v) = scope.lookup(name) {
            return v.clone();
        }
        match name {
            // Namespaces that only make sense followed by an attribute: resolved in `traverse`.
            "var" | "local" | "data" | "module" | "path" | "terraform" | "each" | "count"
            | "self" => self.unknown(expr),
            _ => self.unknown(expr),
        }
    }

    fn traverse(
        &mut self,
        base: Value,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope,
        expr: &Expression,
    ) -> Value {
        // Namespaced references (`var.x`, `local.y`, `type.name.attr`) are resolved from the
        // root variable name and the first attribute(s).
        let Expression::Traversal(traversal) = expr else {
            return self.unknown(expr);
        };
        let mut current = base;
        let mut rest = operators;
        if let Expression::Variable(root) = &traversal.expr {
            let root = root.as_str();
            if scope.lookup(root).is_none() {
                let first = match operators.first().map(|o| o.value()) {
                    Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
                    _ => None,
                };
                match (root, first) {
                    ("var", Some(name)) => {
                        current = self.module.variable(&name);
                        if current.is_unknown() {
                            return self.unknown_like(expr, &current, operators.len() == 1);
                        }
                        rest = &operators[1..];
                    }
                    ("local", Some(name)) => {
                        current = self.module.local(&name, self.depth);
                        if current.is_unknown() {
                            return self.unknown_like(expr, &current, operators.len() == 1);
                        }
                        rest = &operators[1..];
                    }
                    ("path", Some(_)) => {
                        current = Value::string(".", self.loc(expr));
                        rest = &operators[1..];
                    }
                    ("terraform", Some(name)) if name == "workspace" => {
                        current = Value::string("default", self.loc(expr));
                        rest = &operators[1..];
                    }
                    ("module", Some(name)) => {
                        current = self.module.module_value(&name, self.loc(expr));
                        if current.is_unknown() {
                            return self.unknown(expr);
                        }
                        rest = &operators[1..];
                    }
                    // `data.type.name.id`: unknown, but a data source that was read has one.
                    ("data", _) if operators.len() == 3 && ends_with_id(operators) => {
                        let (resource_type, address) =
                            match (&operators[0].value(), &operators[1].value()) {
                                (
                                    TraversalOperator::GetAttr(kind),
                                    TraversalOperator::GetAttr(name),
                                ) => (
                                    format!("data.{}", kind.as_str()),
                                    Some(format!("data.{}.{}", kind.as_str(), name.as_str())),
                                ),
                                _ => ("data".to_string(), None),
                            };
                        return self.resource_id(expr, &resource_type, address);
                    }
                    ("data" | "module" | "self" | "each" | "count", _) => {
                        return self.unknown(expr)
                    }
                    (resource_type, Some(name)) if resource_type.contains('_') => {
                        // `type.name.id` / `type.name[key].id`: computed, never null once applied.
                        let indexed = matches!(
                            operators.get(1).map(|o| o.value()),
                            Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_))
                        );
                        if ends_with_id(operators)
                            && (operators.len() == 2 || indexed && operators.len() == 3)
                        {
                            let instance = match operators.get(1).map(|o| o.value()) {
                                Some(TraversalOperator::Index(ix)) if indexed => {
                                    match self.eval(ix, scope).kind {
                                        Kind::String(key) => Some(format!("[{key:?}]")),
                                        Kind::Number(n) if n.fract() == 0.0 && n >= 0.0 => {
                                            Some(format!("[{n}]"))
                                        }
                                        _ => None,
                                    }
                                }
                                Some(TraversalOperator::LegacyIndex(n)) => Some(format!("[{n}]")),
                                _ => Some(String::new()),
                            };
                            let address = instance.map(|instance| {
                                format!("{}{resource_type}.{name}{instance}", self.module.prefix())
                            });
                            return self.resource_id(expr, resource_type, address);
                        }
                        let attr = match operators.get(1).map(|o| o.value()) {
                            Some(TraversalOperator::GetAttr(a)) => a.as_str().to_string(),
                            _ => return self.unknown(expr),
                        };
                        current =
                            self.module
                                .resource_attribute(resource_type, &name, &attr, self.depth);
                        if current.is_unknown() {
                            // Computed by the provider: which resource attribute it is stays
                            // known (a kubelet identity's cluster, a resource group's name).
                            let address = format!("{}{resource_type}.{name}", self.module.prefix());
                            return Value::unknown_referring(
                                self.text(expr),
                                self.loc(expr),
                                Referent::Terraform {
                                    resource_type: resource_type.to_string(),
                                    address: Some(address),
                                    attribute: attr,
                                },
                            );
                        }
                        rest = &operators[2..];
                    }
                    _ => {}
                }
                // A local or variable is copied out whole before it is indexed.
                if let Err(limit) = self.module.shared().budget.charge(&current) {
                    if limit == Limit::TooLarge {
                        let budget = &self.module.shared().budget;
                        budget.stop_at(self.loc(expr), &self.text(expr), limit);
                    }
                    return self.unknown(expr);
                }
            }
        }
        for (i, op) in rest.iter().enumerate() {
            if current.is_unknown() {
                return self.unknown(expr);
            }
            current = match op.value() {
                TraversalOperator::GetAttr(name) => match current.get(name.as_str()) {
                    Some(v) => v.clone(),
                    None => return error_value(self.loc(expr)),
                },
                TraversalOperator::Index(index_expr) => {
                    let index = self.eval(index_expr, scope);
                    match index_into(&current, &index) {
                        Some(v) => v,
                        None if index.is_unknown() => return self.unknown(expr),
                        None => return error_value(self.loc(expr)),
                    }
                }
                TraversalOperator::LegacyIndex(n) => {
                    match current.as_list().and_then(|l| l.get(*n.value() as usize)) {
                        Some(v) => v.clone(),
                        None => return error_value(self.loc(expr)),
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items: Vec<Value> = match &current.kind {
                        Kind::List(items) => items.clone(),
                        Kind::Null => Vec::new(),
                        _ => vec![current.clone()],
                    };
                    let remaining = &rest[i + 1..];
                    let mut out = Vec::new();
                    for item in items.into_iter().take(MAX_ITEMS) {
                        let mut v = item;
                        for op in remaining {
                            v = match op.value() {
                                TraversalOperator::GetAttr(name) => match v.get(name.as_str()) {
                                    Some(x) => x.clone(),
                                    None => return self.unknown(expr),
                                },
                                TraversalOperator::Index(ix) => {
                                    let index = self.eval(ix, scope);
                                    match index_into(&v, &index) {
                                        Some(x) => x,
                                        None => return self.unknown(expr),
                                    }
                                }
                                _ => return self.unknown(expr),
                            };
                        }
                        out.push(v);
                    }
                    return Value::list(out, self.loc(expr));
                }
            };
        }
        current
    }
}

/// A resource or data source `id`, which Terraform knows exists although not its value:
/// an unknown that is certainly not null.
pub fn is_non_null(value: &Value) -> bool {
    value.is_unknown()
        && matches!(value.referent.as_deref(), Some(Referent::Terraform { attribute, .. }) if attribute == "id")
}

/// The full address of the resource an unknown resource ID names, wherever it travelled.
pub fn id_address(value: &Value) -> Option<&str> {
    if !value.is_unknown() {
        return None;
    }
    value.referent.as_deref()?.terraform_address("id")
}

fn ends_with_id(operators: &[hcl_edit::Decorated<TraversalOperator>]) -> bool {
    matches!(operators.last().map(|o| o.value()), Some(TraversalOperator::GetAttr(a)) if a.as_str() == "id")
}

/// Marker for an evaluation error (missing attribute, index out of range) that `try()`
/// skips and `can()` reports as false.
pub fn error_value(loc: Option<Loc>) -> Value {
    Value::new(Kind::Unknown(ERROR_MARK.to_string()), loc)
}
const ERROR_MARK: &str = "\u{0}error";
pub fn is_error(v: &Value) -> bool {
    matches!(&v.kind, Kind::Unknown(t) if t == ERROR_MARK)
}

fn index_into(collection: &Value, index: &Value) -> Option<Value> {
    match &collection.kind {
        Kind::List(items) => {
            let i = index.as_number()?;
            if i < 0.0 {
                return None;
            }
            items.get(i as usize).cloned()
        }
        Kind::Map(_) => collection.get(&index.to_text()?).cloned(),
        _ => None,
    }
}

/// (key, value) pairs of a collection: list index / map key / set element as key.
pub fn iterate(collection: &Value) -> Option<Vec<(Value, Value)>> {
    match &collection.kind {
        Kind::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::number(i as f64, v.loc), v.clone()))
                .collect(),
        ),
        Kind::Map(entries) => Some(
            entries
                .iter()
                .map(|e| (Value::string(e.key.clone(), e.key_loc), e.value.clone()))
                .collect(),
        ),
        Kind::Null => Some(Vec::new()),
        _ => None,
    }
}

/// Structural equality ignoring locations.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (&a.kind, &b.kind) {
        (Kind::Null, Kind::Null) => true,
        (Kind::Bool(x), Kind::Bool(y)) => x == y,
        (Kind::Number(x), Kind::Number(y)) => x == y,
        (Kind::String(x), Kind::String(y)) => x == y,
        (Kind::Number(x), Kind::String(y)) | (Kind::String(y), Kind::Number(x)) => {
            format_number(*x) == *y
        }
        (Kind::Bool(x), Kind::String(y)) | (Kind::String(y), Kind::Bool(x)) => x.to_string() == *y,
        (Kind::List(x), Kind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Kind::Map(x), Kind::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.iter()
                        .find(|f| f.key == e.key)
                        .is_some_and(|f| same_value(&e.value, &f.value))
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::terraform::{load_main, Loaded};
    use crate::value::{Referent, Value};

    #[test]
    fn resource_attributes_known_only_after_apply_keep_the_resource_they_read() {
        let Loaded { resources, .. } = load_main(
            r#"
locals {
  registry = azurerm_container_registry.acr.id
}
resource "azurerm_role_assignment" "pull" {
  scope               = local.registry
  principal_id        = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
  role_definition_name = "AcrPull"
}
resource "azurerm_container_registry" "acr" {
  name                = "acr1"
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_resource_group" "rg" {
  name = var.group
}
"#,
        );
        let body = |address: &str| {
            &resources
                .iter()
                .find(|r| r.address == address)
                .unwrap()
                .body
        };
        let referent = |value: &Value| value.referent.as_deref().cloned();
        let pull = body("azurerm_role_assignment.pull");
        // Through a local, the ID still names its registry.
        assert_eq!(
            referent(pull.get("scope").unwrap()),
            Some(Referent::terraform_id(
                "azurerm_container_registry",
                Some("azurerm_container_registry.acr".to_string())
            ))
        );
        assert_eq!(
            referent(pull.get("principal_id").unwrap()),
            Some(Referent::Terraform {
                resource_type: "azurerm_kubernetes_cluster".to_string(),
                address: Some("azurerm_kubernetes_cluster.aks".to_string()),
                attribute: "kubelet_identity".to_string(),
            })
        );
        let group = body("azurerm_container_registry.acr")
            .get("resource_group_name")
            .unwrap();
        assert!(group.is_unknown());
        assert_eq!(
            referent(group).and_then(|r| r.terraform_address("name").map(str::to_string)),
            Some("azurerm_resource_group.rg".to_string())
        );
        // A literal, and an unknown that is no resource attribute, refer to nothing.
        assert_eq!(referent(pull.get("role_definition_name").unwrap()), None);
        let rg = body("azurerm_resource_group.rg");
        assert!(rg.get("name").unwrap().is_unknown());
        assert_eq!(referent(rg.get("name").unwrap()), None);
    }

    /// The evaluated attribute `name` of the only resource in `tf`.
    fn attribute(tf: &str, name: &str) -> Value {
        let Loaded {
            resources, errors, ..
        } = load_main(tf);
        assert!(
            errors.is_empty(),
            "{:?}",
            errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        assert_eq!(resources.len(), 1);
        resources[0].body.get(name).cloned().expect("the attribute")
    }

    /// The evaluated attribute `name` of the only resource in `tf`, which runs into an
    /// evaluation limit: reported (AG001) at the expression that ran out.
    fn limited_attribute(tf: &str, name: &str) -> Value {
        let Loaded {
            resources, errors, ..
        } = load_main(tf);
        assert!(
            errors
                .iter()
                .any(|e| e.message.starts_with("evaluation limit:")),
            "{:?}",
            errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        assert_eq!(resources.len(), 1);
        resources[0].body.get(name).cloned().expect("the attribute")
    }

    // The regression tests below come from fuzzing (fuzz/fuzz_targets/terraform.rs).

    #[test]
    fn index_without_its_value_argument_is_unknown() {
        let tf = "resource \"a\" \"b\" {\n  n = index([\"x\"])\n}\n";
        assert!(attribute(tf, "n").is_unknown());
    }

    #[test]
    fn range_whose_step_is_lost_to_rounding_is_unknown() {
        let tf = "resource \"a\" \"b\" {\n  n = range(100000000000000000, 100000000000000100)\n}\n";
        assert!(attribute(tf, "n").is_unknown());
    }

    #[test]
    fn nested_for_expressions_stop_at_the_work_budget() {
        let tf = "resource \"a\" \"b\" {\n  n = [for x in range(10000) : [for y in range(10000) : y]]\n  m = 1\n}\n";
        assert!(limited_attribute(tf, "n").has_unknown());
    }

    #[test]
    fn copying_a_large_local_in_a_loop_stops_at_the_work_budget() {
        let tf = "locals {\n  r = range(10000)\n}\nresource \"a\" \"b\" {\n  n = [for x in local.r : local.r[0]]\n  m = [for x in local.r : [local.r]]\n}\n";
        assert!(limited_attribute(tf, "m").has_unknown());
    }

    #[test]
    fn nested_template_loops_stop_at_the_work_budget() {
        let tf = "resource \"a\" \"b\" {\n  n = \"%{for x in range(10000)}%{for y in range(10000)}${y}%{endfor}%{endfor}\"\n}\n";
        assert!(limited_attribute(tf, "n").is_unknown());
    }

    #[test]
    fn nested_dynamic_blocks_stop_at_the_work_budget() {
        let mut tf = String::from("resource \"a\" \"b\" {\n");
        for name in ["x", "y", "z"] {
            tf += &format!("dynamic \"{name}\" {{\nfor_each = range(1000)\ncontent {{\n");
        }
        tf += "v = 1\n}\n}\n}\n}\n}\n}\n}\n";
        assert!(limited_attribute(&tf, "x").has_unknown());
    }

    #[test]
    fn small_loops_stay_known() {
        let tf = "resource \"a\" \"b\" {\n  n = [for x in range(100) : [for y in range(100) : \"%{for z in range(10)}${z}%{endfor}\"]]\n}\n";
        assert!(!attribute(tf, "n").has_unknown());
    }

    fn text_of(expr: &str) -> Option<String> {
        let tf = format!("resource \"a\" \"b\" {{\n  n = {expr}\n}}\n");
        attribute(&tf, "n").to_text()
    }

    #[test]
    fn string_and_encoding_functions() {
        assert_eq!(
            text_of("strcontains(\"hello\", \"ell\")").as_deref(),
            Some("true")
        );
        assert_eq!(text_of("basename(\"a/b/c.tf\")").as_deref(), Some("c.tf"));
        assert_eq!(text_of("dirname(\"a/b/c.tf\")").as_deref(), Some("a/b"));
        assert_eq!(text_of("chomp(\"x\\n\\n\")").as_deref(), Some("x"));
        assert_eq!(
            text_of("base64encode(\"Hello!?\")").as_deref(),
            Some("SGVsbG8hPw==")
        );
        assert_eq!(
            text_of("base64decode(\"SGVsbG8hPw==\")").as_deref(),
            Some("Hello!?")
        );
        assert_eq!(
            text_of("jsonencode({a = [1, true, \"x\"]})").as_deref(),
            Some("{\"a\":[1,true,\"x\"]}")
        );
        assert_eq!(
            text_of("jsondecode(\"{\\\"a\\\": 5}\").a").as_deref(),
            Some("5")
        );
        assert_eq!(text_of("sum([1, 2, 3.5])").as_deref(), Some("6.5"));
        assert_eq!(text_of("parseint(\"ff\", 16)").as_deref(), Some("255"));
        assert_eq!(text_of("nonsensitive(\"x\")").as_deref(), Some("x"));
        // Not emulated: stays unknown, never a wrong value.
        assert!(text_of("md5(\"x\")").is_none());
    }

    #[test]
    fn a_lone_interpolation_keeps_its_type() {
        let tf = "resource \"a\" \"b\" {\n  n = \"${[1, 2]}\"\n}\n";
        assert_eq!(attribute(tf, "n").as_list().map(|l| l.len()), Some(2));
    }

    #[test]
    fn a_resource_id_is_unknown_but_not_null() {
        let tf = "variable \"ws\" {\n  default = null\n}\nlocals {\n  ws = azurerm_log_analytics_workspace.w.id\n}\nresource \"a\" \"b\" {\n  on = local.ws != null\n  data_on = data.azurerm_x.y.id == null\n  off = var.ws != null\n  other = azurerm_log_analytics_workspace.w.name != null\n}\n";
        let Loaded { resources, .. } = load_main(tf);
        let body = &resources[0].body;
        assert_eq!(body.get("on").and_then(Value::as_bool), Some(true));
        assert_eq!(body.get("data_on").and_then(Value::as_bool), Some(false));
        assert_eq!(body.get("off").and_then(Value::as_bool), Some(false));
        // Other computed attributes may be null: undecided.
        assert!(body.get("other").unwrap().is_unknown());
    }

    #[test]
    fn nested_dynamic_blocks_see_their_outer_iterator() {
        let tf = r#"variable "pools" {
  default = [{ name = "a", taints = ["x", "y"] }, { name = "b", taints = [] }]
}
resource "r" "n" {
  dynamic "pool" {
    for_each = var.pools
    iterator = p
    content {
      name = p.value.name
      dynamic "taint" {
        for_each = p.value.taints
        content {
          text = "${p.value.name}:${taint.value}"
        }
      }
    }
  }
}
"#;
        let Loaded { resources, .. } = load_main(tf);
        let pools: Vec<&Value> = resources[0]
            .body
            .entries("pool")
            .map(|e| &e.value)
            .collect();
        assert_eq!(pools.len(), 2);
        let taints: Vec<String> = pools[0]
            .entries("taint")
            .filter_map(|e| e.value.get("text").and_then(Value::to_text))
            .collect();
        assert_eq!(taints, ["a:x", "a:y"]);
        assert_eq!(pools[1].entries("taint").count(), 0);
    }

    #[test]
    fn splat_expressions() {
        let tf = "variable \"v\" {\n  default = [{ n = 1 }, { n = 2 }]\n}\nresource \"a\" \"b\" {\n  s = var.v[*].n\n  t = length(var.v.*.n)\n}\n";
        let Loaded { resources, .. } = load_main(tf);
        let s = resources[0].body.get("s").unwrap();
        let items: Vec<String> = s
            .as_list()
            .unwrap()
            .iter()
            .filter_map(Value::to_text)
            .collect();
        assert_eq!(items, ["1", "2"]);
        assert_eq!(
            resources[0]
                .body
                .get("t")
                .and_then(Value::to_text)
                .as_deref(),
            Some("2")
        );
    }
}
