//! One Terraform root: its files, variables (with tfvars), locals and resource blocks, and
//! the expansion of each resource block into evaluated instances.

use super::eval::{weight, Evaluator, Scope};
use super::functions::for_each_pairs;
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Value};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::Span;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

/// Data sources whose configuration names a resource the model links to.
const LINKED_DATA_SOURCES: &[&str] = &["azurerm_container_registry"];

/// Counts and for_each collections beyond this are treated as unknown.
const MAX_INSTANCES: usize = 1_000;

/// Evaluation work one root may do, in values produced or copied (see [`weight`]): past
/// it every expression is unknown, so loops that multiply (nested `for`, `dynamic` blocks,
/// template directives) end instead of running for hours.
const MAX_WORK: usize = 4_000_000;

pub struct ModuleFile {
    pub id: FileId,
    /// File name for messages ("terraform.tfvars").
    pub name: String,
    pub text: String,
    pub body: Body,
}

pub struct Module {
    files: Vec<ModuleFile>,
    variables: HashMap<String, (usize, Option<Expression>)>,
    /// Values from terraform.tfvars / *.auto.tfvars, already evaluated.
    assigned: HashMap<String, Value>,
    locals: HashMap<String, (usize, Expression)>,
    local_cache: RefCell<HashMap<String, Value>>,
    resolving: RefCell<HashSet<String>>,
    /// (type, name) -> (file index, block index in that file's body)
    resource_blocks: HashMap<(String, String), (usize, usize)>,
    pub provider_major: Option<u8>,
    /// Evaluation work done so far, against [`MAX_WORK`].
    work: Cell<usize>,
}

impl Module {
    /// `files` are the `.tf` files, `tfvars` the variable files in precedence order (later wins).
    pub fn new(files: Vec<ModuleFile>, tfvars: Vec<ModuleFile>) -> Module {
        let mut module = Module {
            files: Vec::new(),
            variables: HashMap::new(),
            assigned: HashMap::new(),
            locals: HashMap::new(),
            local_cache: RefCell::new(HashMap::new()),
            resolving: RefCell::new(HashSet::new()),
            resource_blocks: HashMap::new(),
            provider_major: None,
            work: Cell::new(0),
        };
        for (fi, file) in files.iter().enumerate() {
            for (bi, structure) in file.body.iter().enumerate() {
                let Structure::Block(block) = structure else {
                    continue;
                };
                match (block.ident.as_str(), labels(block).as_slice()) {
                    ("variable", [name]) => {
                        let default = block.body.get_attribute("default").map(|a| a.value.clone());
                        module.variables.insert(name.clone(), (fi, default));
                    }
                    ("locals", []) => {
                        for attr in block.body.attributes() {
                            module
                                .locals
                                .insert(attr.key.as_str().to_string(), (fi, attr.value.clone()));
                        }
                    }
                    ("resource", [kind, name]) => {
                        module
                            .resource_blocks
                            .insert((kind.clone(), name.clone()), (fi, bi));
                    }
                    ("terraform", []) => {
                        if let Some(major) = azurerm_major(block) {
                            module.provider_major = Some(major);
                        }
                    }
                    _ => {}
                }
            }
        }
        module.files = files;
        let tfvar_base = module.files.len();
        module.files.extend(tfvars);
        for fi in tfvar_base..module.files.len() {
            let file_name = module.file_name(fi);
            let attrs: Vec<(String, Expression)> = module.files[fi]
                .body
                .attributes()
                .map(|a| (a.key.as_str().to_string(), a.value.clone()))
                .collect();
            for (name, expr) in attrs {
                let mut ev = Evaluator::new(&module, module.files[fi].id);
                let value = ev
                    .eval(&expr, &Scope::default())
                    .with_origin(format!("`{name}` in {file_name}"));
                module.assigned.insert(name, value);
            }
        }
        module
    }

    /// Records `units` of evaluation work; false once the budget is spent.
    pub fn spend(&self, units: usize) -> bool {
        let work = self.work.get().saturating_add(units);
        self.work.set(work);
        work <= MAX_WORK
    }

    /// Records the work of producing `value`; false once the budget is spent.
    pub fn charge(&self, value: &Value) -> bool {
        let left = MAX_WORK.saturating_sub(self.work.get());
        self.spend(weight(value, left))
    }

    pub fn exhausted(&self) -> bool {
        self.work.get() > MAX_WORK
    }

    fn file_name(&self, index: usize) -> String {
        self.files[index].name.clone()
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files
            .iter()
            .find(|f| f.id == file)
            .map(|f| f.text.as_str())
            .unwrap_or("")
    }

    pub fn variable(&self, name: &str, _use_site: Option<Loc>) -> Value {
        if let Some(v) = self.assigned.get(name) {
            return v.clone();
        }
        match self.variables.get(name) {
            Some((fi, Some(default))) => {
                let mut ev = Evaluator::new(self, self.files[*fi].id);
                ev.eval(default, &Scope::default())
                    .with_origin(format!("variable `{name}` default"))
            }
            _ => Value::unknown(format!("var.{name}"), None),
        }
    }

    pub fn local(&self, name: &str, depth: usize) -> Value {
        if let Some(v) = self.local_cache.borrow().get(name) {
            return v.clone();
        }
        let key = format!("local.{name}");
        let Some((fi, expr)) = self.locals.get(name) else {
            return Value::unknown(key, None);
        };
        if depth > 48 || !self.resolving.borrow_mut().insert(key.clone()) {
            return Value::unknown(key, None);
        }
        let mut ev = Evaluator::new(self, self.files[*fi].id);
        ev.depth = depth + 1;
        let mut value = ev.eval(expr, &Scope::default());
        if value.origin.is_none() {
            value.origin = Some(format!("local `{name}`").into());
        }
        self.resolving.borrow_mut().remove(&key);
        self.local_cache
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
    }

    /// A configured argument of another resource (`azurerm_resource_group.rg.location`);
    /// computed attributes such as `id` stay unknown.
    pub fn resource_attribute(&self, kind: &str, name: &str, attr: &str, depth: usize) -> Value {
        let key = format!("{kind}.{name}.{attr}");
        let Some(&(fi, bi)) = self
            .resource_blocks
            .get(&(kind.to_string(), name.to_string()))
        else {
            return Value::unknown(key, None);
        };
        let Some(Structure::Block(block)) = self.files[fi].body.get(bi) else {
            return Value::unknown(key, None);
        };
        if block.body.has_attribute("count") || block.body.has_attribute("for_each") {
            return Value::unknown(key, None);
        }
        let Some(attribute) = block.body.get_attribute(attr) else {
            return Value::unknown(key, None);
        };
        if depth > 48 || !self.resolving.borrow_mut().insert(key.clone()) {
            return Value::unknown(key, None);
        }
        let mut ev = Evaluator::new(self, self.files[fi].id);
        ev.depth = depth + 1;
        let value = ev.eval(&attribute.value, &Scope::default());
        self.resolving.borrow_mut().remove(&key);
        value
    }

    /// Every resource block, expanded over `count` / `for_each`, evaluated.
    pub fn resources(&self) -> Vec<RawResource> {
        let mut out = Vec::new();
        for file in &self.files {
            for structure in file.body.iter() {
                let Structure::Block(block) = structure else {
                    continue;
                };
                match (block.ident.as_str(), labels(block).as_slice()) {
                    ("resource", [kind, name]) => self.expand(file, block, kind, name, &mut out),
                    // Data sources the model links by name (a registry of another zone).
                    ("data", [kind, name]) if LINKED_DATA_SOURCES.contains(&kind.as_str()) => {
                        self.expand(file, block, &format!("data.{kind}"), name, &mut out)
                    }
                    ("provider", [name]) if name == "azurerm" => {
                        out.push(self.provider(file, block))
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// `provider "azurerm" { alias = "hub", subscription_id = ... }` as `provider.azurerm`
    /// at address `azurerm.hub` (`azurerm` without an alias): data sources name it.
    fn provider(&self, file: &ModuleFile, block: &Block) -> RawResource {
        let mut ev = Evaluator::new(self, file.id);
        let loc = block.span().map(|r| Loc::new(file.id, r.start, r.end));
        let body = self.body_value(&mut ev, &block.body, &Scope::default(), loc);
        let address = match body.get("alias").and_then(Value::as_str) {
            Some(alias) => format!("azurerm.{alias}"),
            None => "azurerm".to_string(),
        };
        RawResource {
            format: Format::Terraform,
            kind: "provider.azurerm".to_string(),
            address,
            file: file.id,
            header: header_loc(file.id, block),
            name: None,
            body,
            provider_major: self.provider_major,
            compiled_by_bicep: false,
            existing: false,
            source: None,
        }
    }

    fn expand(
        &self,
        file: &ModuleFile,
        block: &Block,
        kind: &str,
        name: &str,
        out: &mut Vec<RawResource>,
    ) {
        let mut ev = Evaluator::new(self, file.id);
        let base = format!("{kind}.{name}");
        let root = Scope::default();
        let mut instances: Vec<(String, Scope)> = Vec::new();
        if let Some(count) = block.body.get_attribute("count") {
            let n = ev.eval(&count.value, &root);
            match n.as_number() {
                Some(n) if n >= 0.0 && (n as usize) <= MAX_INSTANCES => {
                    for i in 0..n as usize {
                        let index = Value::number(i as f64, None);
                        let scope = root.with("count", map_of(&[("index", index)]));
                        instances.push((format!("{base}[{i}]"), scope));
                    }
                }
                _ => {
                    let unknown = Value::unknown("count.index", None);
                    instances.push((
                        base.clone(),
                        root.with("count", map_of(&[("index", unknown)])),
                    ));
                }
            }
        } else if let Some(for_each) = block.body.get_attribute("for_each") {
            let collection = ev.eval(&for_each.value, &root);
            match for_each_pairs(&collection) {
                Some(pairs) if pairs.len() <= MAX_INSTANCES => {
                    for (key, value) in pairs {
                        let key_text = key.to_text().unwrap_or_default();
                        let each = map_of(&[("key", key), ("value", value)]);
                        instances.push((format!("{base}[{key_text:?}]"), root.with("each", each)));
                    }
                }
                _ => {
                    let each = map_of(&[
                        ("key", Value::unknown("each.key", None)),
                        ("value", Value::unknown("each.value", None)),
                    ]);
                    instances.push((base.clone(), root.with("each", each)));
                }
            }
        } else {
            instances.push((base.clone(), root));
        }
        let header = header_loc(file.id, block);
        for (address, scope) in instances {
            let body = self.body_value(
                &mut ev,
                &block.body,
                &scope,
                block.span().map(|r| Loc::new(file.id, r.start, r.end)),
            );
            let name_value = body.get("name").and_then(Value::to_text);
            out.push(RawResource {
                format: Format::Terraform,
                kind: kind.to_string(),
                address,
                file: file.id,
                header,
                body,
                name: name_value,
                provider_major: self.provider_major,
                compiled_by_bicep: false,
                existing: false,
                source: None,
            });
        }
    }

    fn body_value(
        &self,
        ev: &mut Evaluator,
        body: &Body,
        scope: &Scope,
        loc: Option<Loc>,
    ) -> Value {
        let mut entries = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    if matches!(attr.key.as_str(), "count" | "for_each") {
                        continue;
                    }
                    entries.push(Entry {
                        key: attr.key.as_str().to_string(),
                        key_loc: attr.span().map(|r| Loc::new(ev.file, r.start, r.end)),
                        value: ev.eval(&attr.value, scope),
                    });
                }
                Structure::Block(block) => {
                    let header = Some(header_loc(ev.file, block));
                    let block_loc = block.span().map(|r| Loc::new(ev.file, r.start, r.end));
                    if block.ident.as_str() == "dynamic" {
                        self.dynamic(ev, block, scope, header, &mut entries);
                        continue;
                    }
                    entries.push(Entry {
                        key: block.ident.as_str().to_string(),
                        key_loc: header,
                        value: self.body_value(ev, &block.body, scope, block_loc),
                    });
                }
            }
        }
        Value::map(entries, loc)
    }

    /// `dynamic "x" { for_each = ...; content { ... } }` becomes one `x` entry per element.
    fn dynamic(
        &self,
        ev: &mut Evaluator,
        block: &Block,
        scope: &Scope,
        header: Option<Loc>,
        entries: &mut Vec<Entry>,
    ) {
        let Some(label) = labels(block).into_iter().next() else {
            return;
        };
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|a| a.value.as_variable().map(|v| v.as_str().to_string()))
            .unwrap_or_else(|| label.clone());
        let content = block.body.get_blocks("content").next();
        let collection = block
            .body
            .get_attribute("for_each")
            .map(|a| ev.eval(&a.value, scope))
            .unwrap_or_else(|| Value::unknown("for_each", header));
        // Unlike a resource's for_each, a dynamic block iterates lists of objects by index.
        match (content, super::eval::iterate(&collection)) {
            (Some(content), Some(pairs)) if pairs.len() <= MAX_INSTANCES => {
                let content_loc = content.span().map(|r| Loc::new(ev.file, r.start, r.end));
                for (key, value) in pairs {
                    let inner = scope.with(&iterator, map_of(&[("key", key), ("value", value)]));
                    let value = self.body_value(ev, &content.body, &inner, content_loc);
                    if !self.charge(&value) {
                        entries.push(Entry {
                            key: label.clone(),
                            key_loc: header,
                            value: Value::new(
                                Kind::Unknown(format!("dynamic \"{label}\"")),
                                header,
                            ),
                        });
                        return;
                    }
                    entries.push(Entry {
                        key: label.clone(),
                        key_loc: header,
                        value,
                    });
                }
            }
            _ => entries.push(Entry {
                key: label.clone(),
                key_loc: header,
                value: Value::new(Kind::Unknown(format!("dynamic \"{label}\"")), header),
            }),
        }
    }
}

fn map_of(pairs: &[(&str, Value)]) -> Value {
    Value::map(
        pairs
            .iter()
            .map(|(k, v)| Entry {
                key: k.to_string(),
                key_loc: None,
                value: v.clone(),
            })
            .collect(),
        None,
    )
}

pub fn labels(block: &Block) -> Vec<String> {
    block
        .labels
        .iter()
        .map(|l| match l {
            BlockLabel::Ident(i) => i.as_str().to_string(),
            BlockLabel::String(s) => s.value().clone(),
        })
        .collect()
}

/// From the block keyword to the end of its last label: `resource "type" "name"`.
pub fn header_loc(file: FileId, block: &Block) -> Loc {
    let start = block.ident.span().map(|r| r.start).unwrap_or(0);
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| block.ident.span())
        .map(|r| r.end)
        .unwrap_or(start);
    Loc::new(file, start, end)
}

/// The azurerm major version from `required_providers`: the lowest version the
/// constraint admits (`~> 3.0`, `>= 3.39, < 4.0` and `=4.1.0` all name their major first).
fn azurerm_major(terraform: &Block) -> Option<u8> {
    let providers = terraform.body.get_blocks("required_providers").next()?;
    let azurerm = providers.body.get_attribute("azurerm")?;
    let constraint = match &azurerm.value {
        Expression::Object(object) => object.iter().find_map(|(k, v)| {
            let key = match k {
                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                hcl_edit::expr::ObjectKey::Expression(e) => e.as_str()?.to_string(),
            };
            (key == "version").then(|| v.expr().as_str().map(str::to_string))?
        })?,
        Expression::String(s) => s.value().clone(),
        _ => return None,
    };
    parse_major(&constraint)
}

pub fn parse_major(constraint: &str) -> Option<u8> {
    for part in constraint.split(',') {
        let part = part.trim();
        let op_end = part
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(part.len());
        let op = part[..op_end].trim();
        if matches!(op, "" | "=" | ">=" | "~>" | ">") {
            let digits: String = part[op_end..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(major) = digits.parse() {
                return Some(major);
            }
        }
    }
    None
}
