//! Terraform plan and state JSON: what `terraform show -json tfplan` (or `terraform show
//! -json` of a state) says will really be deployed, documented as Terraform's "JSON
//! Output Format".
//!
//! A plan knows what static evaluation cannot: registry modules `terraform init` did not
//! install, data sources, variables the pipeline sets (`-var`, `TF_VAR_*`), `for_each` over
//! a data source. Alone, a plan is a unit of its own: its resources are checked where they
//! are written in the plan JSON, with their addresses. Beside the configuration it was made
//! from, it is an oracle over that root's static model ([`overlay`]).
//!
//! What it reads: `resource_changes[].change.after` for managed resources whose change is
//! not only `delete` (creates, updates, no-ops, replacements); data sources from
//! `prior_state` (read while planning) and `read` changes; paths in `after_unknown` are
//! unknown, linked through the `configuration` expressions' `references`; paths in
//! `after_sensitive` are never shown ([`Plan::sensitive`]). A state (`values.root_module`)
//! is read the same way, every resource as it is.

pub mod config;
pub mod overlay;

use crate::input::looks_like_plan;
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Origin, Referent, Value};
use config::{Configuration, Step};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// What an unknown value of a plan says when its expression is not known either.
pub const KNOWN_AFTER_APPLY: &str = "known after apply";

/// What a sensitive value the rules cannot use becomes (never its text).
pub const SENSITIVE: &str = "a sensitive value (not shown)";

/// A sensitive string at least this long stays known and is masked wherever a message
/// would quote it; a shorter one (or a number, a boolean) could not be masked without
/// masking ordinary words, so it is unknown instead.
const MIN_MASKED: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Plan,
    State,
}

/// A plan or state, converted.
pub struct Plan {
    pub file: FileId,
    pub document: Document,
    pub resources: Vec<PlanResource>,
    /// Root module variables as planned, located in the plan.
    pub variables: Vec<(String, Value)>,
    pub configuration: Configuration,
    /// Sensitive strings kept known: masked in every message ([`mask`]).
    pub sensitive: Vec<String>,
    /// `provider "azurerm"` blocks of the root module: (address, subscription).
    pub providers: Vec<(String, Option<String>)>,
    /// The azurerm major version the configuration asks for.
    pub provider_major: Option<u8>,
    /// Where the resources are listed (a provider has no place of its own in a plan).
    pub anchor: Loc,
    /// What could not be read, with its place.
    pub errors: Vec<PlanError>,
}

pub struct PlanResource {
    /// Full instance address: `module.aks["prod"].azurerm_kubernetes_cluster.this`.
    pub address: String,
    /// The module instance: `module.aks["prod"]`, `` for the root.
    pub module: String,
    /// The type, `data.`-prefixed for data sources as the adapters name them.
    pub kind: String,
    /// The `"address"` of the resource's object in the plan.
    pub header: Loc,
    /// The values, located in the plan; null for types the model does not read.
    pub body: Value,
}

#[derive(Debug)]
pub struct PlanError {
    pub loc: Loc,
    pub message: String,
}

#[derive(Deserialize)]
struct Top<'a> {
    #[serde(default)]
    format_version: Option<String>,
    #[serde(borrow, default)]
    resource_changes: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    planned_values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    prior_state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    configuration: Option<&'a RawValue>,
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    variables: Option<std::collections::BTreeMap<String, PlanVariable<'a>>>,
}

#[derive(Deserialize)]
struct PlanVariable<'a> {
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ResourceChange<'a> {
    #[serde(borrow)]
    address: &'a RawValue,
    #[serde(default)]
    module_address: Option<String>,
    #[serde(default)]
    mode: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(borrow)]
    change: Change<'a>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(default)]
    actions: Vec<String>,
    #[serde(borrow, default)]
    after: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_unknown: Option<&'a RawValue>,
    #[serde(borrow, default)]
    after_sensitive: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct StateValues<'a> {
    #[serde(borrow, default)]
    root_module: Option<StateModule<'a>>,
}

#[derive(Deserialize)]
struct StateModule<'a> {
    #[serde(default)]
    address: Option<String>,
    #[serde(borrow, default)]
    resources: Vec<StateResource<'a>>,
    #[serde(borrow, default)]
    child_modules: Vec<StateModule<'a>>,
}

#[derive(Deserialize)]
struct StateResource<'a> {
    #[serde(borrow)]
    address: &'a RawValue,
    #[serde(default)]
    mode: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(borrow, default)]
    values: Option<&'a RawValue>,
    #[serde(borrow, default)]
    sensitive_values: Option<&'a RawValue>,
    #[serde(default)]
    deposed_key: Option<String>,
}

/// Reads a plan or state. `Err` when the text is not one (broken JSON, an unsupported
/// format version): the caller reports it; what goes wrong inside one resource is in
/// [`Plan::errors`] and the rest is read.
pub fn parse(file: FileId, text: &str) -> Result<Plan, PlanError> {
    let top: Top = serde_json::from_str(text).map_err(|e| PlanError {
        loc: error_loc(file, text, &e),
        message: format!("invalid plan JSON: {}", error_text(&e)),
    })?;
    let version = top.format_version.as_deref().unwrap_or("");
    let major = version.split('.').next().unwrap_or("");
    if !matches!(major, "0" | "1") {
        return Err(PlanError {
            loc: Loc::new(file, 0, 1),
            message: format!(
                "this is Terraform JSON of format version `{}`, which aksguard does not read \
                 (it reads format versions 0.x and 1.x of `terraform show -json`)",
                crate::escape::one_line(version)
            ),
        });
    }
    let document = if top.resource_changes.is_some() || top.planned_values.is_some() {
        Document::Plan
    } else if top.values.is_some() {
        Document::State
    } else {
        return Err(PlanError {
            loc: Loc::new(file, 0, 1),
            message: "this `terraform show -json` output has no resources: neither \
                      `resource_changes` and `planned_values` (a plan) nor `values` (a state)"
                .to_string(),
        });
    };
    let mut reader = Reader {
        file,
        text,
        configuration: Configuration::default(),
        sensitive: Vec::new(),
        errors: Vec::new(),
        listed: 0,
        checked: 0,
        dropped: 0,
    };
    if let Some(raw) = top.configuration {
        match serde_json::from_str::<Configuration>(raw.get()) {
            Ok(configuration) => reader.configuration = configuration,
            Err(e) => reader.errors.push(PlanError {
                loc: reader.loc_of(raw),
                message: format!(
                    "the plan's `configuration` cannot be read ({}): values known only after \
                     apply are not linked through its references",
                    error_text(&e)
                ),
            }),
        }
    }
    let anchor = top
        .resource_changes
        .as_ref()
        .and_then(|changes| changes.first().copied())
        .or(top.values)
        .or(top.planned_values)
        .map(|raw| reader.loc_of(raw))
        .unwrap_or(Loc::new(file, 0, 1));
    let mut resources = Vec::new();
    match (document, &top.resource_changes) {
        (Document::Plan, Some(changes)) => {
            for raw in changes {
                let change: ResourceChange = match serde_json::from_str(raw.get()) {
                    Ok(change) => change,
                    Err(e) => {
                        reader.errors.push(PlanError {
                            loc: reader.loc_of(raw),
                            message: format!(
                                "this resource change cannot be read ({}), so it is not checked",
                                error_text(&e)
                            ),
                        });
                        continue;
                    }
                };
                if change.deposed.is_some() || !checked(&change.change.actions) {
                    continue;
                }
                let kind = kind_of(&change.mode, &change.kind);
                if let Some(resource) = reader.resource(
                    change.address,
                    change.module_address.unwrap_or_default(),
                    kind,
                    change.change.after,
                    change.change.after_unknown,
                    change.change.after_sensitive,
                ) {
                    resources.push(resource);
                }
            }
            // Data sources read while planning are in the prior state.
            if let Some(prior) = top.prior_state {
                let mut seen: std::collections::HashSet<String> =
                    resources.iter().map(|r| r.address.clone()).collect();
                let mut data = Vec::new();
                reader.state(prior, true, &mut data);
                resources.extend(data.into_iter().filter(|r| seen.insert(r.address.clone())));
            }
        }
        (Document::Plan, None) => {
            if let Some(planned) = top.planned_values {
                reader.values(planned, false, &mut resources);
            }
        }
        (Document::State, _) => {
            if let Some(values) = top.values {
                reader.values(values, false, &mut resources);
            }
        }
    }
    let mut variables = Vec::new();
    for (name, variable) in top.variables.into_iter().flatten() {
        let Some(raw) = variable.value else { continue };
        let start = reader.offset(raw);
        let Some(mut value) = crate::json::located(file, text, start) else {
            continue;
        };
        let sensitive = reader
            .configuration
            .root_module
            .variables
            .get(&name)
            .is_some_and(|v| v.sensitive);
        if sensitive {
            mark_all_sensitive(&mut value, &mut reader.sensitive);
        }
        let value = value.with_origin(Origin::Plan {
            variable: Some(name.clone()),
        });
        variables.push((name, value));
    }
    let mut providers = Vec::new();
    let mut provider_major = None;
    for provider in reader.configuration.provider_config.values() {
        if provider.name != "azurerm" || provider.module_address.is_some() {
            continue;
        }
        let address = match &provider.alias {
            Some(alias) => format!("azurerm.{alias}"),
            None => "azurerm".to_string(),
        };
        let subscription = provider
            .expressions
            .get("subscription_id")
            .and_then(|e| e.get("constant_value"))
            .and_then(|v| v.as_str())
            .map(str::to_ascii_lowercase);
        providers.push((address, subscription));
        if let Some(constraint) = &provider.version_constraint {
            provider_major = provider_major.or(crate::terraform::module::parse_major(constraint));
        }
    }
    if reader.dropped > 0 {
        reader.errors.push(PlanError {
            loc: anchor,
            message: format!(
                "{} resources of this plan were not checked: aksguard checks at most {MAX_CHECKED} \
                 resources of the types it models and {MAX_LISTED} in all per plan (more means \
                 a generated or hostile plan); check the plans of smaller roots",
                reader.dropped
            ),
        });
    }
    let Reader {
        configuration,
        mut sensitive,
        errors,
        ..
    } = reader;
    // Longest first, so a secret that contains another is masked whole.
    sensitive.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    sensitive.dedup();
    Ok(Plan {
        file,
        document,
        resources,
        variables,
        configuration,
        sensitive,
        providers,
        provider_major,
        anchor,
        errors,
    })
}

/// Creates, updates, no-ops, replacements and reads are checked; a change that only
/// deletes (or forgets) the resource leaves nothing to check.
fn checked(actions: &[String]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a.as_str(), "create" | "update" | "no-op" | "read"))
}

fn kind_of(mode: &str, kind: &str) -> String {
    if mode == "data" {
        format!("data.{kind}")
    } else {
        kind.to_string()
    }
}

/// The resource types whose values the model reads; the others are counted by type only
/// (a plan of thousands of resources converts the few that matter).
pub fn reads_values(kind: &str) -> bool {
    use crate::model::{
        cluster, defender, diagnostics, policy, private_endpoint, registry, role_assignment,
    };
    matches!(
        kind,
        cluster::TF_CLUSTER
            | cluster::TF_NODE_POOL
            | registry::TF_REGISTRY
            | registry::TF_REGISTRY_DATA
            | private_endpoint::TF_PRIVATE_ENDPOINT
            | role_assignment::TF_ROLE_ASSIGNMENT
            | defender::TF_PRICING
            | "azurerm_resource_group"
    ) || diagnostics::is_diagnostic_setting(kind)
        || policy::is_policy_assignment(kind)
}

struct Reader<'t> {
    file: FileId,
    text: &'t str,
    configuration: Configuration,
    sensitive: Vec<String>,
    errors: Vec<PlanError>,
    /// Resources kept, and those with values among them, against [`MAX_LISTED`] and
    /// [`MAX_CHECKED`]; past them, resources are counted in `dropped`.
    listed: usize,
    checked: usize,
    dropped: usize,
}

/// Resources of the types the model reads that one plan may give it: as many as one
/// Terraform root may produce ([`crate::value::MAX_RESOURCES`]). A real plan of 100 MB has
/// a few thousand; a generated one of tiny clusters would otherwise take gigabytes.
const MAX_CHECKED: usize = crate::value::MAX_RESOURCES;
/// Resources of any type one plan may list (the others are counted by type only).
const MAX_LISTED: usize = 200_000;

impl Reader<'_> {
    /// Where a piece of the plan text starts (serde_json borrows it from the text).
    fn offset(&self, raw: &RawValue) -> usize {
        let start = raw.get().as_ptr() as usize;
        let base = self.text.as_ptr() as usize;
        if start >= base && start <= base + self.text.len() {
            start - base
        } else {
            0
        }
    }

    fn loc_of(&self, raw: &RawValue) -> Loc {
        let start = self.offset(raw);
        Loc::new(self.file, start, start + raw.get().len())
    }

    /// The resources of a `values` object (`planned_values`, a state's `values`, a prior
    /// state's `values`): every module's, data sources only when `data_only`.
    fn values(&mut self, raw: &RawValue, data_only: bool, out: &mut Vec<PlanResource>) {
        match serde_json::from_str::<StateValues>(raw.get()) {
            Ok(values) => {
                if let Some(root) = values.root_module {
                    self.module(root, data_only, out);
                }
            }
            Err(e) => self.errors.push(PlanError {
                loc: self.loc_of(raw),
                message: format!(
                    "these resource values cannot be read ({}), so they are not checked",
                    error_text(&e)
                ),
            }),
        }
    }

    /// A prior state: `{"values": {"root_module": ...}}`.
    fn state(&mut self, raw: &RawValue, data_only: bool, out: &mut Vec<PlanResource>) {
        #[derive(Deserialize)]
        struct State<'a> {
            #[serde(borrow, default)]
            values: Option<&'a RawValue>,
        }
        if let Ok(State {
            values: Some(values),
        }) = serde_json::from_str::<State>(raw.get())
        {
            self.values(values, data_only, out);
        }
    }

    fn module(&mut self, module: StateModule, data_only: bool, out: &mut Vec<PlanResource>) {
        let address = module.address.unwrap_or_default();
        for resource in module.resources {
            if resource.deposed_key.is_some() || (data_only && resource.mode != "data") {
                continue;
            }
            let kind = kind_of(&resource.mode, &resource.kind);
            if let Some(r) = self.resource(
                resource.address,
                address.clone(),
                kind,
                resource.values,
                None,
                resource.sensitive_values,
            ) {
                out.push(r);
            }
        }
        for child in module.child_modules {
            self.module(child, data_only, out);
        }
    }

    fn resource(
        &mut self,
        address: &RawValue,
        module: String,
        kind: String,
        after: Option<&RawValue>,
        unknown: Option<&RawValue>,
        sensitive: Option<&RawValue>,
    ) -> Option<PlanResource> {
        let header = self.loc_of(address);
        let reads = reads_values(&kind);
        if self.listed >= MAX_LISTED || (reads && self.checked >= MAX_CHECKED) {
            self.dropped += 1;
            return None;
        }
        self.listed += 1;
        self.checked += usize::from(reads);
        let address: String = serde_json::from_str(address.get()).ok()?;
        if !reads {
            return Some(PlanResource {
                address,
                module,
                kind,
                header,
                body: Value::null(),
            });
        }
        let body = match after {
            Some(raw) => crate::json::located(self.file, self.text, self.offset(raw)),
            // Everything unknown (`"after": null` with `"after_unknown": true`) or nothing.
            None => Some(Value::new(Kind::Map(Vec::new()), Some(header))),
        };
        let Some(mut body) = body else {
            self.errors.push(PlanError {
                loc: header,
                message: format!(
                    "the values of `{}` cannot be read (nested too deep?), so it is not checked",
                    crate::escape::one_line(&address)
                ),
            });
            return None;
        };
        if body.is_null() {
            body = Value::new(Kind::Map(Vec::new()), Some(header));
        }
        if let Some(marks) = unknown.and_then(|raw| serde_json::from_str(raw.get()).ok()) {
            let relative = relative_address(&address, &module);
            let expressions = self
                .configuration
                .root_module
                .at(&module)
                .and_then(|m| m.resource(&relative))
                .map(|r| &r.expressions);
            let mut path = Vec::new();
            let context = Unknowns {
                configuration: &self.configuration,
                module: &module,
                expressions,
                header,
            };
            context.mark(&mut body, &marks, &mut path);
        }
        if let Some(marks) = sensitive.and_then(|raw| serde_json::from_str(raw.get()).ok()) {
            mark_sensitive(&mut body, &marks, &mut self.sensitive);
        }
        let body = as_blocks(body);
        Some(PlanResource {
            address,
            module,
            kind,
            header,
            body,
        })
    }
}

/// `module.a["x"].azurerm_x.y[0]` in module `module.a["x"]` -> `azurerm_x.y`, as the
/// configuration names the block.
pub fn relative_address(address: &str, module: &str) -> String {
    let relative = if module.is_empty() {
        address
    } else {
        address
            .strip_prefix(module)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(address)
    };
    config::without_keys(relative)
}

/// What makes an unknown value of one resource: its configuration's expressions.
struct Unknowns<'c> {
    configuration: &'c Configuration,
    module: &'c str,
    expressions: Option<&'c serde_json::Value>,
    header: Loc,
}

impl Unknowns<'_> {
    fn mark(&self, value: &mut Value, marks: &serde_json::Value, path: &mut Vec<Step>) {
        match marks {
            serde_json::Value::Bool(true) => {
                *value = self.unknown(path, value.loc.or(Some(self.header)));
            }
            serde_json::Value::Object(marks) => {
                let loc = value.loc;
                let Kind::Map(entries) = &mut value.kind else {
                    return;
                };
                for (key, mark) in marks {
                    path.push(Step::Key(key.clone()));
                    match entries.iter_mut().find(|e| e.key == *key) {
                        Some(entry) => self.mark(&mut entry.value, mark, path),
                        None if mark == &serde_json::Value::Bool(true) => entries.push(Entry {
                            key: key.clone(),
                            key_loc: None,
                            value: self.unknown(path, loc.or(Some(self.header))),
                        }),
                        None => {}
                    }
                    path.pop();
                }
            }
            serde_json::Value::Array(marks) => {
                let Kind::List(items) = &mut value.kind else {
                    return;
                };
                for (i, (item, mark)) in items.iter_mut().zip(marks).enumerate() {
                    path.push(Step::Index(i));
                    self.mark(item, mark, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    fn unknown(&self, path: &[Step], loc: Option<Loc>) -> Value {
        let references = self
            .expressions
            .and_then(|e| config::references_at(e, path))
            .unwrap_or_default();
        unknown_from(self.configuration, self.module, &references, loc, 0)
    }
}

/// An unknown value whose expression makes these references in `module`: a resource ID
/// names its resource by full address (so links hold), a variable of a module is followed
/// to its caller's argument, a module output into the module.
fn unknown_from(
    configuration: &Configuration,
    module: &str,
    references: &[String],
    loc: Option<Loc>,
    depth: usize,
) -> Value {
    let Some(first) = references.first() else {
        return Value::unknown(KNOWN_AFTER_APPLY, loc);
    };
    if depth < 32 {
        if let Some(traced) = trace(configuration, module, first, loc, depth) {
            return traced;
        }
    }
    let text = format!("{first} ({KNOWN_AFTER_APPLY})");
    match resource_attribute(first) {
        Some((resource_type, base, attribute)) => {
            let full = if module.is_empty() {
                base.to_string()
            } else {
                format!("{module}.{base}")
            };
            let referent = Referent::Terraform {
                resource_type: resource_type.to_string(),
                address: Some(full),
                attribute: attribute.to_string(),
            };
            Value::unknown_referring(text, loc, referent)
        }
        None => Value::unknown(text, loc),
    }
}

/// `var.x` inside a module: the caller's argument `x`; `module.m.out`: the module's output.
fn trace(
    configuration: &Configuration,
    module: &str,
    reference: &str,
    loc: Option<Loc>,
    depth: usize,
) -> Option<Value> {
    let root = &configuration.root_module;
    if let Some(variable) = reference.strip_prefix("var.") {
        let variable = variable.split(['.', '[']).next()?;
        let segments = config::module_segments(module);
        let (call, _) = segments.last()?;
        let parent = segments.len().checked_sub(2).map_or("", |i| segments[i].1);
        let call = root.at(parent)?.module_calls.get(*call)?;
        let references =
            config::references_at(&call.expressions, &[Step::Key(variable.to_string())])?;
        return Some(unknown_from(
            configuration,
            parent,
            &references,
            loc,
            depth + 1,
        ));
    }
    let rest = reference.strip_prefix("module.")?;
    let (name, output) = rest.split_once('.')?;
    if name.contains('[') {
        return None;
    }
    let output = output.split(['.', '[']).next()?;
    let child = if module.is_empty() {
        format!("module.{name}")
    } else {
        format!("{module}.module.{name}")
    };
    let expression = &root.at(&child)?.outputs.get(output)?.expression;
    let references = config::references_at(expression, &[])?;
    Some(unknown_from(
        configuration,
        &child,
        &references,
        loc,
        depth + 1,
    ))
}

/// `azurerm_container_registry.acr.id` -> `azurerm_container_registry.acr`: a reference to
/// a resource's (or data source's) ID.
/// `azurerm_kubernetes_cluster.aks["a"].kubelet_identity[0].object_id` -> (type
/// `azurerm_kubernetes_cluster`, resource `azurerm_kubernetes_cluster.aks["a"]`, attribute
/// `kubelet_identity`): a reference to a resource's (or data source's) attribute.
fn resource_attribute(reference: &str) -> Option<(&str, &str, &str)> {
    let first = reference.split(['.', '[']).next()?;
    if matches!(
        first,
        "var" | "local" | "each" | "count" | "path" | "terraform" | "self" | "module"
    ) {
        return None;
    }
    let type_end = if first == "data" {
        "data.".len() + reference.get("data.".len()..)?.find('.')?
    } else {
        reference.find('.')?
    };
    let name_start = type_end + 1;
    let mut end = name_start + reference.get(name_start..)?.find(['.', '['])?;
    if reference[end..].starts_with('[') {
        end = config::instance_key_end(reference, end)?;
    }
    let attribute = reference[end..]
        .strip_prefix('.')?
        .split(['.', '['])
        .next()?;
    (!attribute.is_empty()).then(|| (&reference[..type_end], &reference[..end], attribute))
}

fn mark_sensitive(value: &mut Value, marks: &serde_json::Value, masked: &mut Vec<String>) {
    match marks {
        serde_json::Value::Bool(true) => mark_all_sensitive(value, masked),
        serde_json::Value::Object(marks) => {
            if let Kind::Map(entries) = &mut value.kind {
                for entry in entries.iter_mut() {
                    if let Some(mark) = marks.get(&entry.key) {
                        mark_sensitive(&mut entry.value, mark, masked);
                    }
                }
            }
        }
        serde_json::Value::Array(marks) => {
            if let Kind::List(items) = &mut value.kind {
                for (item, mark) in items.iter_mut().zip(marks) {
                    mark_sensitive(item, mark, masked);
                }
            }
        }
        _ => {}
    }
}

/// Every scalar inside `value` is sensitive: long strings stay known and are masked in
/// messages, the rest becomes unknown.
fn mark_all_sensitive(value: &mut Value, masked: &mut Vec<String>) {
    match &mut value.kind {
        Kind::String(s) if s.len() >= MIN_MASKED => masked.push(s.clone()),
        Kind::List(items) => {
            for item in items {
                mark_all_sensitive(item, masked);
            }
        }
        Kind::Map(entries) => {
            for entry in entries {
                mark_all_sensitive(&mut entry.value, masked);
            }
        }
        Kind::Null | Kind::Unknown(_) => {}
        _ => value.kind = Kind::Unknown(SENSITIVE.to_string()),
    }
}

/// Nested blocks are lists of objects in a plan (`"default_node_pool": [{...}]`) and
/// repeated entries in the adapters' trees: one entry per block, as HCL writes them. An
/// empty list is no block at all (`"extension": []`), and reads as absent; an empty list
/// attribute (`authorized_ip_ranges = []`) means the same as absent to every field (their
/// default is the empty list).
fn as_blocks(mut value: Value) -> Value {
    match value.kind {
        Kind::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for entry in entries {
                match entry.value.kind {
                    Kind::List(items)
                        if !items.is_empty()
                            && items.iter().all(|i| matches!(i.kind, Kind::Map(_))) =>
                    {
                        for (i, item) in items.into_iter().enumerate() {
                            let key_loc = if i == 0 { entry.key_loc } else { item.loc };
                            out.push(Entry {
                                key: entry.key.clone(),
                                key_loc,
                                value: as_blocks(item),
                            });
                        }
                    }
                    Kind::List(items) if items.is_empty() => {}
                    kind => out.push(Entry {
                        key: entry.key,
                        key_loc: entry.key_loc,
                        value: as_blocks(Value {
                            kind,
                            ..entry.value
                        }),
                    }),
                }
            }
            value.kind = Kind::Map(out);
            value
        }
        kind => {
            value.kind = kind;
            value
        }
    }
}

impl Plan {
    /// The plan alone as a unit: every resource where the plan writes it.
    pub fn raw_resources(&self) -> Vec<RawResource> {
        let mut out: Vec<RawResource> = self
            .providers
            .iter()
            .map(|(address, subscription)| {
                let body = Value::map(
                    subscription
                        .iter()
                        .map(|s| Entry {
                            key: "subscription_id".to_string(),
                            key_loc: None,
                            value: Value::string(s.clone(), None),
                        })
                        .collect(),
                    None,
                );
                self.raw("provider.azurerm", address, self.anchor, body)
            })
            .collect();
        out.extend(self.resources.iter().map(|r| {
            let mut body = r.body.clone();
            if r.kind.starts_with("data.") {
                self.set_provider(r, &mut body);
            }
            self.raw(&r.kind, &r.address, r.header, body)
        }));
        out
    }

    /// Is this the plan of the root made of these `.tf` files: do they declare the same
    /// resources, data sources and module calls as the plan's configuration?
    /// `files` are their syntax trees (None: one does not parse).
    pub fn declares<'t>(
        &self,
        files: impl Iterator<Item = Option<&'t crate::terraform::module::ModuleFile>>,
    ) -> bool {
        let root = &self.configuration.root_module;
        let planned: std::collections::BTreeSet<String> = root
            .resources
            .iter()
            .map(|r| r.address.clone())
            .chain(root.module_calls.keys().map(|m| format!("module.{m}")))
            .collect();
        let mut declared = std::collections::BTreeSet::new();
        for file in files {
            let Some(file) = file else {
                return false;
            };
            for structure in file.body.iter() {
                let hcl_edit::structure::Structure::Block(block) = structure else {
                    continue;
                };
                let labels = crate::terraform::module::labels(block);
                match (block.ident.as_str(), labels.as_slice()) {
                    ("resource", [kind, name]) => declared.insert(format!("{kind}.{name}")),
                    ("data", [kind, name]) => declared.insert(format!("data.{kind}.{name}")),
                    ("module", [name]) => declared.insert(format!("module.{name}")),
                    _ => false,
                };
            }
        }
        !planned.is_empty() && planned == declared
    }

    /// The root variables whose planned value static evaluation would not find: those
    /// without a default, and those the pipeline set to something else (`-var`,
    /// `TF_VAR_*`). The others keep their place in the source (the default, the tfvars).
    pub fn planned_variables(&self) -> Vec<(String, Value)> {
        let declared = &self.configuration.root_module.variables;
        self.variables
            .iter()
            .filter(
                |(name, value)| match declared.get(name).and_then(|v| v.default.as_ref()) {
                    Some(default) => !same(value, default),
                    None => true,
                },
            )
            .cloned()
            .collect()
    }

    /// A data source read through an aliased provider names it as the static model does
    /// (`provider = azurerm.hub`).
    pub fn set_provider(&self, resource: &PlanResource, body: &mut Value) {
        let key = self
            .configuration
            .root_module
            .at(&resource.module)
            .and_then(|m| m.resource(&relative_address(&resource.address, &resource.module)))
            .and_then(|r| r.provider_config_key.clone());
        let Some(key) = key else { return };
        // `azurerm.hub` in the root; inside a module, `<module>:azurerm.hub`.
        let key = key.rsplit(':').next().unwrap_or(&key).to_string();
        if key == "azurerm" || !resource.module.is_empty() {
            return;
        }
        if let Kind::Map(entries) = &mut body.kind {
            entries.push(Entry {
                key: "provider".to_string(),
                key_loc: None,
                value: Value::unknown(key, None),
            });
        }
    }

    pub(crate) fn raw(&self, kind: &str, address: &str, header: Loc, body: Value) -> RawResource {
        let name = body.get("name").and_then(Value::to_text);
        RawResource {
            format: Format::Terraform,
            kind: kind.to_string(),
            address: address.to_string(),
            file: self.file,
            header,
            body,
            name,
            written_name: None,
            provider_major: self.provider_major,
            compiled_by_bicep: false,
            existing: false,
            source: None,
        }
    }
}

/// Reads the plans among the JSON files of a scan (told by [`sniff`]), in parallel. A
/// plan's text is never shown (it holds secrets in clear); one that cannot be read is an
/// error at its place.
pub fn read_plans(
    json: &[FileId],
    sources: &mut crate::source::Sources,
    errors: &mut Vec<crate::finding::Problem>,
    scanned: &mut std::collections::HashSet<FileId>,
) -> HashMap<FileId, Plan> {
    use rayon::prelude::*;
    // Every JSON file's first bytes are looked at: in parallel, as a large scan has
    // thousands.
    let candidates: Vec<FileId> = json
        .par_iter()
        .copied()
        .filter(|id| looks_like_plan(&sources.get(*id).text))
        .collect();
    let parsed: Vec<(FileId, Result<Plan, PlanError>)> = candidates
        .par_iter()
        .map(|id| (*id, parse(*id, &sources.get(*id).text)))
        .collect();
    let mut plans = HashMap::new();
    for (id, plan) in parsed {
        sources.mark_secret(id);
        scanned.insert(id);
        match plan {
            Ok(plan) => {
                plans.insert(id, plan);
            }
            Err(e) => errors.push(crate::finding::Problem::in_file(sources, e.loc, e.message)),
        }
    }
    plans
}

/// Reads the plans named with `--plan` (already added to the sources) into `plans`; what
/// is not a plan is an error. Returns the ids read.
pub fn read_named_plans(
    named: &[FileId],
    sources: &mut crate::source::Sources,
    errors: &mut Vec<crate::finding::Problem>,
    plans: &mut HashMap<FileId, Plan>,
) -> Vec<FileId> {
    let mut out = Vec::new();
    for &id in named {
        sources.mark_secret(id);
        let parsed = if looks_like_plan(&sources.get(id).text) {
            parse(id, &sources.get(id).text)
        } else {
            Err(PlanError {
                loc: Loc::new(id, 0, 0),
                message: "this is not a Terraform plan: give `--plan` the output of \
                          `terraform show -json tfplan`"
                    .to_string(),
            })
        };
        match parsed {
            Ok(plan) => {
                plans.insert(id, plan);
                out.push(id);
            }
            Err(e) => errors.push(crate::finding::Problem::in_file(sources, e.loc, e.message)),
        }
    }
    out
}

/// Masks the plans' sensitive strings in every finding and error, and drops the fixes
/// that would write into a plan (a plan is generated: the change belongs in the source).
pub fn hide_secrets(
    plans: &HashMap<FileId, Plan>,
    findings: &mut [crate::finding::Finding],
    errors: &mut [crate::finding::Problem],
) {
    if plans.is_empty() {
        return;
    }
    let mut sensitive: Vec<String> = plans
        .values()
        .flat_map(|p| p.sensitive.iter().cloned())
        .collect();
    sensitive.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    sensitive.dedup();
    let masked = |text: &mut String| {
        if let Some(m) = mask(text, &sensitive) {
            *text = m;
        }
    };
    for finding in findings.iter_mut() {
        masked(&mut finding.message);
        masked(&mut finding.label);
        masked(&mut finding.help);
        for (_, note) in &mut finding.notes {
            masked(note);
        }
        let writes_plan = finding.remedy.as_ref().is_some_and(|remedy| {
            remedy.changes.iter().any(|change| match &change.target {
                crate::remedy::Target::Written { at, written, .. } => {
                    plans.contains_key(&at.file)
                        || written.is_some_and(|w| plans.contains_key(&w.file))
                }
                crate::remedy::Target::Absent { anchor, .. } => plans.contains_key(&anchor.file),
            })
        });
        if writes_plan || plans.contains_key(&finding.at.file) {
            finding.remedy = None;
        }
    }
    for error in errors.iter_mut() {
        masked(&mut error.message);
    }
}

/// Does a value equal a JSON value (a variable's default as the configuration lists it)?
fn same(value: &Value, json: &serde_json::Value) -> bool {
    match (&value.kind, json) {
        (Kind::Null, serde_json::Value::Null) => true,
        (Kind::Bool(a), serde_json::Value::Bool(b)) => a == b,
        (Kind::Number(a), serde_json::Value::Number(b)) => b.as_f64() == Some(*a),
        (Kind::String(a), serde_json::Value::String(b)) => a == b,
        (Kind::List(a), serde_json::Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Kind::Map(a), serde_json::Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|e| b.get(&e.key).is_some_and(|v| same(&e.value, v)))
        }
        _ => false,
    }
}

/// `text` with every sensitive string of the scan replaced, for messages and notes.
pub fn mask(text: &str, sensitive: &[String]) -> Option<String> {
    if !sensitive.iter().any(|s| text.contains(s.as_str())) {
        return None;
    }
    let mut out = text.to_string();
    for secret in sensitive {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "(sensitive value)");
        }
    }
    Some(out)
}

/// A serde_json error's message without its position (the place is given apart).
fn error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The place of a serde_json error: its line and (byte) column.
fn error_loc(file: FileId, text: &str, e: &serde_json::Error) -> Loc {
    let line_start = if e.line() <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(e.line() - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let mut at = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + 1).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Loc::new(file, at, end)
}

#[cfg(test)]
mod tests;
