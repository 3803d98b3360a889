//! The plan as an oracle over the static model of the root it was made from: every value
//! static evaluation left unknown and the plan knows is taken from the plan, and stays
//! where the static model places the attribute (the `.tf` line, the module call-site
//! argument, the tfvars line), with the note "value from the plan". Resources static
//! evaluation could not expand (an unknown `count` or `for_each`) get the plan's
//! instances; resources of a module `terraform init` did not install come from the plan,
//! reported at the `module` block's argument that sets them (or at the block), and the
//! module is no longer "not evaluated" (AG005).

use super::config::{self, Step};
use super::{Plan, PlanResource};
use crate::model::raw::RawResource;
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Origin, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The syntax tree of a `.tf` file of the root or a module it calls, as the scan parsed it.
pub type Trees<'a> = &'a dyn Fn(FileId) -> Option<&'a crate::terraform::module::ModuleFile>;

/// Takes from `plan` what `loaded` (the root's static evaluation) could not know.
pub fn apply(loaded: &mut crate::terraform::Loaded, plan: &Plan, trees: Trees<'_>) {
    let by_address: HashMap<&str, &PlanResource> = plan
        .resources
        .iter()
        .map(|r| (r.address.as_str(), r))
        .collect();
    let statics = std::mem::take(&mut loaded.resources);
    let mut matched: HashSet<&str> = HashSet::new();
    let mut kept: Vec<RawResource> = Vec::with_capacity(statics.len());
    // Static resources without a plan instance of their own, by address without keys:
    // templates for the plan's instances (an unknown `for_each` gave one of them).
    let mut templates: HashMap<String, Vec<RawResource>> = HashMap::new();
    for mut resource in statics {
        if resource.kind == "provider.azurerm" {
            kept.push(resource);
            continue;
        }
        match by_address.get(resource.address.as_str()) {
            Some(planned) => {
                matched.insert(planned.address.as_str());
                fill(&mut resource.body, &planned.body, resource.header);
                kept.push(resource);
            }
            None => templates
                .entry(config::without_keys(&resource.address))
                .or_default()
                .push(resource),
        }
    }
    let by_key: HashMap<String, usize> = kept
        .iter()
        .enumerate()
        .map(|(i, r)| (config::without_keys(&r.address), i))
        .collect();
    let mut used_templates: HashSet<String> = HashSet::new();
    let mut covered: Vec<usize> = Vec::new();
    let mut extra = Vec::new();
    for planned in &plan.resources {
        if matched.contains(planned.address.as_str()) {
            continue;
        }
        let key = config::without_keys(&planned.address);
        let template = templates
            .get(&key)
            .and_then(|t| t.first())
            .or_else(|| by_key.get(&key).map(|&i| &kept[i]));
        if let Some(template) = template {
            let mut resource = template.clone();
            resource.address = planned.address.clone();
            fill(&mut resource.body, &planned.body, resource.header);
            resource.name = resource.body.get("name").and_then(Value::to_text);
            used_templates.insert(key);
            extra.push(resource);
            continue;
        }
        let notice = loaded.not_evaluated.iter().position(|n| {
            let call = config::without_keys(&n.resource);
            key.starts_with(&call) && key[call.len()..].starts_with('.')
        });
        match notice {
            Some(n) => {
                covered.push(n);
                extra.push(from_module(plan, planned, &loaded.not_evaluated[n], trees));
            }
            // Nothing in the static model stands for it: where the plan writes it.
            None => extra.extend(plan_resource(plan, planned)),
        }
    }
    // A module the plan's configuration runs is covered even when it deploys nothing.
    for (i, notice) in loaded.not_evaluated.iter().enumerate() {
        let call = config::without_keys(&notice.resource);
        if plan.configuration.root_module.at(&call).is_some() {
            covered.push(i);
        }
    }
    let mut index = 0;
    loaded.not_evaluated.retain(|_| {
        index += 1;
        !covered.contains(&(index - 1))
    });
    for (key, resources) in templates {
        if !used_templates.contains(&key) {
            kept.extend(resources);
        }
    }
    kept.extend(extra);
    loaded.resources = kept;
}

/// A plan resource where the plan writes it (the configuration names nothing static).
fn plan_resource(plan: &Plan, planned: &PlanResource) -> Option<RawResource> {
    let mut body = planned.body.clone();
    if planned.kind.starts_with("data.") {
        plan.set_provider(planned, &mut body);
    }
    Some(plan.raw(&planned.kind, &planned.address, planned.header, body))
}

/// A resource of a module the static evaluation skipped: its values from the plan, each
/// attribute placed at the `module` block's argument that sets it (through the module's
/// variables), else at the block's header.
fn from_module(
    plan: &Plan,
    planned: &PlanResource,
    notice: &crate::notice::NotEvaluated,
    trees: Trees<'_>,
) -> RawResource {
    let header = notice.at;
    let arguments = call_arguments(trees, header);
    let expressions = plan
        .configuration
        .root_module
        .at(&planned.module)
        .and_then(|m| m.resource(&super::relative_address(&planned.address, &planned.module)))
        .map(|r| &r.expressions);
    let call = config::without_keys(&notice.resource);
    let place = |path: &[Step]| -> Loc {
        expressions
            .and_then(|e| config::references_at(e, path))
            .and_then(|references| {
                argument_of(plan, &planned.module, &call, references.first()?, 0)
            })
            .and_then(|argument| arguments.get(&argument).copied())
            .unwrap_or(header)
    };
    let mut body = planned.body.clone();
    place_entries(&mut body, &mut Vec::new(), &place);
    mark_planned(&mut body);
    let mut resource = plan.raw(&planned.kind, &planned.address, header, body);
    resource.file = header.file;
    resource
}

/// The argument of the skipped call (`call`, without keys) a reference made in `module`
/// comes from: `var.x` of the call's own module is its argument `x`; a variable of a
/// module nested inside is followed up to it.
fn argument_of(
    plan: &Plan,
    module: &str,
    call: &str,
    reference: &str,
    depth: usize,
) -> Option<String> {
    let variable = reference
        .strip_prefix("var.")?
        .split(['.', '['])
        .next()?
        .to_string();
    if config::without_keys(module) == call {
        return Some(variable);
    }
    if depth > 16 {
        return None;
    }
    let segments = config::module_segments(module);
    let (name, _) = segments.last()?;
    let parent = segments.len().checked_sub(2).map_or("", |i| segments[i].1);
    let expression = plan
        .configuration
        .root_module
        .at(parent)?
        .module_calls
        .get(*name)?
        .expressions
        .get(&variable)?;
    let references = config::references_at(expression, &[])?;
    argument_of(plan, parent, call, references.first()?, depth + 1)
}

/// The arguments written in the `module` block whose header is `header`: name -> place.
fn call_arguments(trees: Trees<'_>, header: Loc) -> HashMap<String, Loc> {
    let mut out = HashMap::new();
    let Some(file) = trees(header.file) else {
        return out;
    };
    // A `.tf.json` file's places are in generated text: its arguments stay at the header.
    if file.name.to_ascii_lowercase().ends_with(".json") {
        return out;
    }
    for structure in file.body.iter() {
        let hcl_edit::structure::Structure::Block(block) = structure else {
            continue;
        };
        if crate::terraform::module::header_loc(header.file, block) != header {
            continue;
        }
        for attribute in block.body.attributes() {
            if let Some(span) = hcl_edit::Span::span(attribute) {
                out.insert(
                    attribute.key.as_str().to_string(),
                    Loc::new(header.file, span.start, span.end),
                );
            }
        }
    }
    out
}

/// Every entry of a skipped module's resource placed where `place` says its path is set.
fn place_entries(value: &mut Value, path: &mut Vec<Step>, place: &dyn Fn(&[Step]) -> Loc) {
    let Kind::Map(entries) = &mut value.kind else {
        return;
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for entry in entries.iter_mut() {
        let index = seen.entry(entry.key.clone()).or_default();
        path.push(Step::Key(entry.key.clone()));
        let is_block = matches!(entry.value.kind, Kind::Map(_));
        if is_block {
            path.push(Step::Index(*index));
        }
        *index += 1;
        entry.key_loc = Some(place(path));
        place_entries(&mut entry.value, path, place);
        if is_block {
            path.pop();
        }
        path.pop();
    }
}

/// Fills the unknowns of `known` (a static resource's body) from `planned`.
fn fill(known: &mut Value, planned: &Value, anchor: Loc) {
    if known.is_unknown() {
        // A resource ID already names its resource; an unknown plan value knows no more.
        if !crate::terraform::eval::is_non_null(known) && !planned.is_unknown() {
            *known = relocated(planned, known.loc.unwrap_or(anchor));
        }
        return;
    }
    if matches!(known.kind, Kind::List(_)) {
        if matches!(planned.kind, Kind::List(_)) && known.has_unknown() {
            *known = relocated(planned, known.loc.unwrap_or(anchor));
        }
        return;
    }
    let (Kind::Map(entries), Kind::Map(planned_entries)) = (&mut known.kind, &planned.kind) else {
        return;
    };
    let mut by_key: HashMap<&str, Vec<&Value>> = HashMap::new();
    for entry in planned_entries {
        by_key.entry(&entry.key).or_default().push(&entry.value);
    }
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for mut entry in std::mem::take(entries) {
        let index = seen.entry(entry.key.clone()).or_default();
        let planned = by_key.get(entry.key.as_str());
        let here = entry.key_loc.or(entry.value.loc).unwrap_or(anchor);
        // A dynamic block unknown offline: one entry per block the plan has.
        if entry.value.is_unknown() && !crate::terraform::eval::is_non_null(&entry.value) {
            if let Some(blocks) = planned.filter(|b| b.len() > 1 && *index == 0) {
                for block in blocks {
                    out.push(Entry {
                        key: entry.key.clone(),
                        key_loc: entry.key_loc,
                        value: relocated(block, here),
                    });
                }
                *index += 1;
                continue;
            }
        }
        if let Some(value) = planned.and_then(|b| b.get(*index)) {
            fill(&mut entry.value, value, here);
        }
        *index += 1;
        out.push(entry);
    }
    *entries = out;
}

/// A planned value that stands where the static model has `at`: its entries placed there,
/// every value keeping its place in the plan with the origin "the plan".
fn relocated(planned: &Value, at: Loc) -> Value {
    let mut value = planned.clone();
    place_entries(&mut value, &mut Vec::new(), &|_| at);
    mark_planned(&mut value);
    value
}

fn mark_planned(value: &mut Value) {
    if value.origin.is_none() {
        value.origin = Some(Arc::new(Origin::Plan { variable: None }));
    }
    match &mut value.kind {
        Kind::Map(entries) => entries.iter_mut().for_each(|e| mark_planned(&mut e.value)),
        Kind::List(items) => items.iter_mut().for_each(mark_planned),
        _ => {}
    }
}
