//! The ARM template adapter: deployment templates (hand-written or compiled by Bicep) and
//! their parameters files become evaluated [`RawResource`]s.
//!
//! Supported: comments and trailing commas in the JSON; case-insensitive property names;
//! parameters (`defaultValue`, a parameters file, Key Vault references as unknown);
//! variables (lazy, with cycle detection, and `copy`); the expression language and most of
//! its functions, including lambdas and user-defined functions; resources as an array or,
//! with `languageVersion` 2.0, as an object of symbolic names; child resources; resource,
//! property and variable `copy` loops; `condition`; nested `Microsoft.Resources/deployments`
//! with inline templates in `inner` and `outer` scope, and their outputs through
//! `reference()`.
//!
//! Not supported (the value comes out unknown, never an error): anything the deployment
//! decides (`reference()` to anything but a nested deployment's outputs, `list*()`, `guid()`, `uniqueString()`, `utcNow()`, the
//! subscription and resource group), `templateLink` (linked templates are skipped, and announced as AG005 by the engine), output
//! values, `dependsOn` ordering, and parameter type checks.
//!
//! Resource IDs built by `resourceId()` and friends are strings; the parts only the
//! deployment knows are placeholder segments in braces (see [`SUBSCRIPTION_PLACEHOLDER`]
//! and [`is_placeholder_segment`]).

mod eval;
mod expr;
pub(crate) mod functions;

#[cfg(test)]
mod tests;

pub use crate::json::SyntaxError;
pub use functions::{
    MANAGEMENT_GROUP_PLACEHOLDER, RESOURCE_GROUP_PLACEHOLDER, SUBSCRIPTION_PLACEHOLDER,
};

use crate::json::{self, Json};
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc, SourceFile};
use crate::value::{Kind, Origin, Value};
use eval::{copy_count, Env, Evaluator, Scope, Verbatim, MAX_COPY};

/// What a nested deployment's body holds for `properties.template`: an unknown with this
/// text, located at the template. Its resources are returned on their own.
pub const INLINE_TEMPLATE: &str = "inline template (its resources are evaluated separately)";

/// Nested deployments deeper than this are not followed.
const MAX_NESTING: usize = 32;

/// A template or parameters file that cannot be read as ARM JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmError {
    /// Where the problem is: the offending character for a syntax error.
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArmError {}

impl SyntaxError {
    /// The error located in `file` (for a file that [`classify`] rejected).
    pub fn in_file(&self, file: FileId) -> ArmError {
        ArmError {
            loc: self.loc(file),
            message: self.message.clone(),
        }
    }
}

/// What a `.json` file is, as far as this adapter cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// A deployment template at any scope.
    Template,
    /// A deployment parameters file.
    Parameters,
    /// Any other JSON (package.json, bicepconfig.json, policy definitions, ...).
    Other,
}

/// Is this JSON text an ARM deployment template, a parameters file, or something else?
///
/// A template has a `$schema` containing `deploymentTemplate`, or (without `$schema`)
/// `resources` together with `contentVersion` or `parameters`. A parameters file has a
/// `$schema` containing `deploymentParameters`, or (without `$schema`) only a `parameters`
/// object whose members are all `{"value": ...}` or `{"reference": ...}`.
///
/// Broken JSON is an error only when the text looks like ARM (mentions
/// `deploymentTemplate` or `deploymentParameters`); otherwise it is `Other`, so unrelated
/// broken JSON in a repository is none of this adapter's business.
pub fn classify(text: &str) -> Result<JsonKind, SyntaxError> {
    classify_parsed(0, text, false).map(|(kind, _)| kind)
}

/// As [`classify`], for a file of the scan: the tree of a template or parameters file is
/// kept with the file, and evaluating it, asking whether Bicep compiled it and fixing it
/// read that tree instead of parsing the file again.
pub fn classify_file(file: &SourceFile) -> Result<JsonKind, SyntaxError> {
    let (kind, tree) = classify_parsed(file.id, &file.text, true)?;
    if let Some(tree) = tree {
        json::keep(file, Ok(tree));
    }
    Ok(kind)
}

/// What the text is, and its whole tree when `keep` asks and it is ARM.
fn classify_parsed(
    file: FileId,
    text: &str,
    keep: bool,
) -> Result<(JsonKind, Option<Json>), SyntaxError> {
    let looks_arm =
        contains_ci(text, "deploymentTemplate") || contains_ci(text, "deploymentParameters");
    // Most JSON in a repository is neither; skip the parse.
    if !looks_arm && !contains_ci(text, "resources") && !contains_ci(text, "parameters") {
        return Ok((JsonKind::Other, None));
    }
    // Three levels reach `parameters.<name>.value`.
    let shaped = json::parse_shaped(file, text, 3, |root| {
        let kind = kind_of(root);
        (kind, keep && kind != JsonKind::Other)
    });
    match shaped {
        Ok(classified) => Ok(classified),
        Err(e) if looks_arm => Err(e),
        Err(_) => Ok((JsonKind::Other, None)),
    }
}

fn kind_of(root: &Json) -> JsonKind {
    if root.as_object().is_none() {
        return JsonKind::Other;
    }
    if blueprint_template(root).is_some() {
        return JsonKind::Template;
    }
    if let Some(schema) = root.get("$schema") {
        let schema = schema.as_str().unwrap_or("");
        return if contains_ci(schema, "deploymentTemplate") {
            JsonKind::Template
        } else if contains_ci(schema, "deploymentParameters") {
            JsonKind::Parameters
        } else {
            JsonKind::Other
        };
    }
    let has = |key: &str| root.get(key).is_some();
    if has("resources") && (has("contentVersion") || has("parameters")) {
        return JsonKind::Template;
    }
    if is_parameters_shape(root) {
        return JsonKind::Parameters;
    }
    JsonKind::Other
}

/// `{"type": "Microsoft.Blueprint/blueprints/artifacts", "kind": "template",
/// "properties": {"template": {...}}}`: the inner deployment template.
fn blueprint_template(root: &Json) -> Option<&Json> {
    if root.get("$schema").is_some() {
        return None;
    }
    let template = root.get("properties")?.get("template")?;
    let schema = template.get("$schema").and_then(Json::as_str).unwrap_or("");
    (contains_ci(schema, "deploymentTemplate") || template.get("resources").is_some())
        .then_some(template)
}

fn is_parameters_shape(root: &Json) -> bool {
    let allowed = ["parameters", "contentVersion", "metadata"];
    let only_allowed = root
        .as_object()
        .unwrap_or(&[])
        .iter()
        .all(|p| allowed.iter().any(|a| p.key.eq_ignore_ascii_case(a)));
    let params = root
        .get("parameters")
        .and_then(Json::as_object)
        .unwrap_or(&[]);
    only_allowed
        && !params.is_empty()
        && params
            .iter()
            .all(|p| p.value.get("value").is_some() || p.value.get("reference").is_some())
}

fn contains_ci(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    let Some(last_start) = text.len().checked_sub(needle.len()) else {
        return false;
    };
    // Asked of every JSON file of a scan, whole: only where the first letter is, in either
    // case, is the rest compared.
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        &text[..=last_start],
    )
    .any(|at| text[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

/// Evaluates a deployment template (with an optional parameters file) into its resources,
/// including those of inline nested deployments (flattened, each with the file it is
/// written in) and the deployment resources themselves. Origins name the parameters file
/// generically; [`load_template_named`] names it.
pub fn load_template(
    file: FileId,
    text: &str,
    parameters: Option<(FileId, &str)>,
) -> Result<Vec<RawResource>, ArmError> {
    load_template_named(
        file,
        text,
        parameters.map(|(id, text)| (id, text, "the parameters file")),
    )
}

/// As [`load_template`]; the parameters file is `(file, text, name)` and values from it get
/// the origin "parameter `x` in <name>".
pub fn load_template_named(
    file: FileId,
    text: &str,
    parameters: Option<(FileId, &str, &str)>,
) -> Result<Vec<RawResource>, ArmError> {
    load_template_reporting(file, text, parameters, &crate::value::ScanBudget::new())
        .map(|(resources, _)| resources)
}

/// As [`load_template_named`], with the limits the template ran into (a `copy` count ARM
/// would reject, nested deployments too deep to follow): the resources are still returned,
/// with what lies past a limit left unknown or out. The template draws on `scan`, the
/// budget every root of its scan shares.
pub fn load_template_reporting(
    file: FileId,
    text: &str,
    parameters: Option<(FileId, &str, &str)>,
    scan: &std::sync::Arc<crate::value::ScanBudget>,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    let given = match parameters {
        Some((params_file, params_text, name)) => {
            Some(parameter_values(params_file, params_text, name)?)
        }
        None => None,
    };
    let root = json::parse(file, text).map_err(|e| e.in_file(file))?;
    load_parsed(&root, given, scan)
}

/// As [`load_template_reporting`], for files of the scan: the template and the parameters
/// file (with the name its values' origins give it) are read from their kept trees.
pub fn load_template_file(
    template: &SourceFile,
    parameters: Option<(&SourceFile, &str)>,
    scan: &std::sync::Arc<crate::value::ScanBudget>,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    let given = match parameters {
        Some((file, name)) => Some(parameter_values_in(root(file, &json::tree(file))?, name)),
        None => None,
    };
    load_parsed(root(template, &json::tree(template))?, given, scan)
}

/// The root of a file's kept tree, or its syntax error located in the file.
fn root<'a>(file: &SourceFile, parsed: &'a json::Parsed) -> Result<&'a Json, ArmError> {
    parsed.as_ref().map_err(|e| e.in_file(file.id))
}

/// A parsed template with the values of its parameters file (all it has: the parameters
/// it leaves out take their defaults), or without one (they are unknown).
fn load_parsed(
    root: &Json,
    given: Option<Vec<(String, Value)>>,
    scan: &std::sync::Arc<crate::value::ScanBudget>,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    let complete = given.is_some();
    let budget = crate::value::Budget::within(scan.clone());
    let (resources, mut limits) = evaluate(root, given.unwrap_or_default(), complete, &budget)?;
    limits.extend(budget.take_stops().into_iter().map(|s| ArmError {
        loc: s.loc,
        message: s.message,
    }));
    Ok((resources, limits))
}

/// A template a Bicep `module` statement deploys, with the values the call passes (every
/// parameter it leaves out takes its default, as in a deployment), within the calling
/// Bicep root's budget.
pub fn load_module_template(
    file: FileId,
    text: &str,
    given: Vec<(String, Value)>,
    budget: &crate::value::Budget,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    let root = json::parse(file, text).map_err(|e| e.in_file(file))?;
    evaluate(&root, given, true, budget)
}

/// As [`load_module_template`], for a file of the scan, read from its kept tree: a module
/// loop evaluates it once per instance and parses it once.
pub fn load_module_file(
    file: &SourceFile,
    given: Vec<(String, Value)>,
    budget: &crate::value::Budget,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    evaluate(root(file, &json::tree(file))?, given, true, budget)
}

fn evaluate(
    root: &Json,
    given: Vec<(String, Value)>,
    complete: bool,
    budget: &crate::value::Budget,
) -> Result<(Vec<RawResource>, Vec<ArmError>), ArmError> {
    if root.as_object().is_none() {
        return Err(ArmError {
            loc: root.loc,
            message: "expected a JSON object (an ARM deployment template)".to_string(),
        });
    }
    // A Blueprint template artifact wraps the template it deploys.
    let root = blueprint_template(root).unwrap_or(root);
    let compiled_by_bicep = generated_by_bicep(root);
    let scope = Scope::new(root, given, complete);
    let mut walker = Walker {
        evaluator: Evaluator::new(budget),
        compiled_by_bicep,
        out: Vec::new(),
        limits: Vec::new(),
    };
    walker.template(&scope, root, &Env::default(), 0);
    Ok((walker.out, walker.limits))
}

/// `metadata._generator.name == "bicep"` at the template's top level.
fn generated_by_bicep(root: &Json) -> bool {
    root.get("metadata")
        .and_then(|m| m.get("_generator"))
        .and_then(|g| g.get("name"))
        .and_then(Json::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case("bicep"))
}

/// Was this template compiled by Bicep? (Its findings belong in the `.bicep` file, and
/// fixes to it are overwritten by the next build.)
pub fn compiled_by_bicep(file: &SourceFile) -> bool {
    mentions_generator(&file.text) && (*json::tree(file)).as_ref().is_ok_and(generated_by_bicep)
}

/// As [`compiled_by_bicep`], from the file's tree (None when it does not parse).
pub(crate) fn compiled_by_bicep_tree(text: &str, root: Option<&Json>) -> bool {
    // The tree first: three lookups, where the text is a search of the whole file.
    root.is_some_and(generated_by_bicep) && mentions_generator(text)
}

/// Whether the text names `_generator` at all (a template without it was not compiled by
/// Bicep, and its tree need not be asked).
fn mentions_generator(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"_generator").is_some()
}

/// The symbolic names of a template Bicep compiled with `languageVersion` 2.0 (`resources`
/// is an object keyed by the Bicep symbols; nested resources as `parent::child`). None for
/// other templates.
pub fn compiled_symbols(file: &SourceFile) -> Option<std::collections::BTreeSet<String>> {
    let parsed = json::tree(file);
    let root = (*parsed).as_ref().ok()?;
    if !generated_by_bicep(root) {
        return None;
    }
    let resources = root.get("resources")?.as_object()?;
    Some(resources.iter().map(|p| p.key.clone()).collect())
}

/// The `{"parameters": {"x": {"value": ...}}}` of a parameters file, as given values.
pub(crate) fn parameter_values(
    file: FileId,
    text: &str,
    name: &str,
) -> Result<Vec<(String, Value)>, ArmError> {
    let root = json::parse(file, text).map_err(|e| e.in_file(file))?;
    Ok(parameter_values_in(&root, name))
}

/// As [`parameter_values`], from the parameters file's tree.
pub(crate) fn parameter_values_in(root: &Json, name: &str) -> Vec<(String, Value)> {
    let mut values = Vec::new();
    for prop in root
        .get("parameters")
        .and_then(Json::as_object)
        .unwrap_or(&[])
    {
        let key = &prop.key;
        let value = if let Some(value) = prop.value.get("value") {
            value
                .to_value()
                .with_origin(Origin::AssignedInParameterFile {
                    name: key.clone(),
                    file: name.to_string(),
                })
        } else if prop.value.get("reference").is_some() {
            // A Key Vault secret: only the deployment can read it.
            Value::unknown(format!("parameters('{key}')"), Some(prop.value.loc)).with_origin(
                Origin::KeyVaultInParameterFile {
                    name: key.clone(),
                    file: name.to_string(),
                },
            )
        } else {
            continue;
        };
        values.push((key.clone(), value));
    }
    values
}

/// Is this segment of a resource ID a placeholder for a part only the deployment knows
/// (`{subscription().subscriptionId}`, `{resourceGroup().name}`, `{parameters('rg')}`)?
pub fn is_placeholder_segment(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// A parent resource's full type and name (`None` when the name is unknown).
struct Parent {
    kind: String,
    name: Option<String>,
}

struct Walker<'b> {
    evaluator: Evaluator<'b>,
    compiled_by_bicep: bool,
    out: Vec<RawResource>,
    /// Limits reached while walking, reported as errors beside the resources.
    limits: Vec<ArmError>,
}

impl Walker<'_> {
    fn template<'j>(&mut self, scope: &Scope<'j>, template: &'j Json, env: &Env, depth: usize) {
        if let Some(resources) = template.get("resources") {
            self.resources(scope, resources, None, env, depth);
        }
    }

    /// An array of resources, or the `languageVersion` 2.0 object of symbolic names.
    fn resources<'j>(
        &mut self,
        scope: &Scope<'j>,
        resources: &'j Json,
        parent: Option<&Parent>,
        env: &Env,
        depth: usize,
    ) {
        if let Some(items) = resources.as_array() {
            for item in items {
                self.resource(scope, item, parent, env, depth);
            }
        } else if let Some(symbolic) = resources.as_object() {
            for prop in symbolic {
                self.resource(scope, &prop.value, parent, env, depth);
            }
        }
    }

    fn resource<'j>(
        &mut self,
        scope: &Scope<'j>,
        resource: &'j Json,
        parent: Option<&Parent>,
        env: &Env,
        depth: usize,
    ) {
        if resource.get("type").is_none() {
            return;
        }
        let Some(copy) = resource.get("copy").filter(|c| c.as_object().is_some()) else {
            self.instance(scope, resource, parent, env, depth);
            return;
        };
        let ev = &self.evaluator;
        let name = copy
            .get("name")
            .map(|n| ev.eval_json(scope, n, env))
            .and_then(|n| n.as_str().map(str::to_string))
            .unwrap_or_default();
        let number = copy
            .get("count")
            .map(|c| (c.loc, ev.eval_json(scope, c, env)))
            .and_then(|(loc, c)| Some((loc, c.as_number()?)));
        let count = number.and_then(|(_, n)| copy_count(n));
        if let (Some((loc, n)), None) = (number, count) {
            self.limits.push(ArmError {
                loc,
                message: format!(
                    "copy count {} is not a whole number from 0 to {MAX_COPY}, which ARM requires; \
                     the resource is checked once with copyIndex() unknown",
                    crate::value::format_number(n)
                ),
            });
        }
        match count {
            Some(n) => {
                for i in 0..n {
                    // The first instance is bounded by the template; every further one
                    // (with what it nests) is a copy the scan keeps.
                    let budget = self.evaluator.budget;
                    if i > 0 && !budget.copy() {
                        let what = format!("the copy loop `{name}`");
                        budget.stop(Some(resource.loc), crate::value::copies_message(&what));
                        return;
                    }
                    let before = self.out.len();
                    let env = env.with_resource_copy(&name, Some(i as i64));
                    let more = self.instance(scope, resource, parent, &env, depth);
                    if i > 0 {
                        for produced in &self.out[before..] {
                            budget.keep(&produced.body);
                        }
                    }
                    if !more {
                        return;
                    }
                }
            }
            // Unknown or beyond what we expand: one instance whose copyIndex() is unknown.
            None => {
                let env = env.with_resource_copy(&name, None);
                self.instance(scope, resource, parent, &env, depth);
            }
        }
    }

    /// One instance of a resource (and its children and nested deployment); false once the
    /// root's resources are past [`crate::value::MAX_RESOURCES`] (reported here).
    fn instance<'j>(
        &mut self,
        scope: &Scope<'j>,
        resource: &'j Json,
        parent: Option<&Parent>,
        env: &Env,
        depth: usize,
    ) -> bool {
        let ev = &self.evaluator;
        if let Some(condition) = resource.get("condition") {
            if ev.eval_json(scope, condition, env).as_bool() == Some(false) {
                return true;
            }
        }
        let Some(type_prop) = resource.prop("type") else {
            return true;
        };
        if !ev.budget.resource() {
            let message = crate::value::resources_message("this resource");
            ev.budget.stop(Some(type_prop.loc), message);
            return false;
        }
        let Some(own_type) = ev
            .eval_json(scope, &type_prop.value, env)
            .as_str()
            .map(str::to_string)
        else {
            return true;
        };
        let is_deployment = own_type.eq_ignore_ascii_case("Microsoft.Resources/deployments");
        // Children are returned on their own: in the body they stay as written. An inline
        // template is evaluated in its own scope below; copying it into the body would
        // repeat every level of nesting in every level above.
        let mut body = ev.eval_object(
            scope,
            resource,
            env,
            // `properties` is replaced just below.
            &[
                ("resources", Verbatim::Literal),
                ("properties", Verbatim::Opaque("properties")),
            ],
        );
        if let (Some(properties), Kind::Map(entries)) = (resource.get("properties"), &mut body.kind)
        {
            let verbatim: &[(&str, Verbatim)] = if is_deployment {
                &[("template", Verbatim::Opaque(INLINE_TEMPLATE))]
            } else {
                &[]
            };
            // Bicep compiles `union(...)` and conditional bodies to one expression string.
            let evaluated = if properties.as_object().is_some() {
                ev.eval_object(scope, properties, env, verbatim)
            } else {
                ev.eval_json(scope, properties, env)
            };
            if let Some(entry) = entries
                .iter_mut()
                .find(|e| e.key.eq_ignore_ascii_case("properties"))
            {
                entry.value = evaluated;
            }
        }
        let own_name = body.get_ci("name").and_then(|n| match &n.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Number(_) => n.to_text(),
            _ => None,
        });
        let (kind, name) = full_type_and_name(parent, &own_type, own_name);
        let existing = body.get_ci("existing").and_then(Value::as_bool) == Some(true);
        let deployment_properties = is_deployment.then(|| body.get_ci("properties").cloned());
        self.out.push(RawResource {
            format: Format::Arm,
            address: format!("{kind}/{}", name.as_deref().unwrap_or("?")),
            kind: kind.clone(),
            file: resource.loc.file,
            header: type_prop.loc,
            body,
            name: name.clone(),
            written_name: resource
                .get("name")
                .and_then(Json::as_str)
                .map(|n| n.trim().to_string()),
            provider_major: None,
            compiled_by_bicep: self.compiled_by_bicep,
            existing,
            source: None,
        });
        if let Some(children) = resource.get("resources") {
            let me = Parent {
                kind,
                name: name.clone(),
            };
            self.resources(scope, children, Some(&me), env, depth);
        }
        if let Some(properties) = deployment_properties {
            let deployment = name.as_deref().unwrap_or("?");
            self.nested(scope, resource, properties.as_ref(), deployment, env, depth);
        }
        true
    }

    /// An inline nested template. In `inner` scope it sees only the parameters the
    /// deployment passes (evaluated here, in the outer scope, keeping where they came from);
    /// in `outer` scope (the default) its expressions use the outer template's names.
    fn nested<'j>(
        &mut self,
        scope: &Scope<'j>,
        resource: &'j Json,
        properties: Option<&Value>,
        deployment: &str,
        env: &Env,
        depth: usize,
    ) {
        if depth >= MAX_NESTING {
            self.limits.push(ArmError {
                loc: resource.loc,
                message: format!(
                    "nested deployments deeper than {MAX_NESTING} levels are not followed"
                ),
            });
            return;
        }
        let Some(template) = resource
            .get("properties")
            .and_then(|p| p.get("template"))
            .filter(|t| t.as_object().is_some())
        else {
            // `templateLink`: the template lives elsewhere.
            return;
        };
        if !eval::inner_scope(properties) {
            self.template(scope, template, env, depth + 1);
            return;
        }
        let given = eval::passed_parameters(properties, deployment);
        let inner_scope = Scope::new(template, given, true);
        self.template(&inner_scope, template, &Env::default(), depth + 1);
    }
}

/// A nested child's type and name are relative to its parent's, unless written in full.
fn full_type_and_name(
    parent: Option<&Parent>,
    own_type: &str,
    own_name: Option<String>,
) -> (String, Option<String>) {
    let Some(parent) = parent else {
        return (own_type.to_string(), own_name);
    };
    // `Microsoft.X/parents/children` is written in full; `children` and the extension form
    // `providers/roleAssignments` are relative to the parent.
    let written_in_full = own_type
        .split('/')
        .next()
        .is_some_and(|ns| ns.contains('.'));
    if written_in_full {
        // The name is full too when it has one segment per type level.
        let levels = own_type.split('/').count().saturating_sub(1);
        let name = match own_name {
            Some(n) if n.split('/').count() == levels => Some(n),
            Some(n) => parent.name.as_ref().map(|p| format!("{p}/{n}")),
            None => None,
        };
        return (own_type.to_string(), name);
    }
    let name = match (&parent.name, own_name) {
        (Some(p), Some(n)) => Some(format!("{p}/{n}")),
        _ => None,
    };
    (format!("{}/{own_type}", parent.kind), name)
}
