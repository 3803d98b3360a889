//! One Terraform root: its files, variables (with tfvars), locals and resource blocks, and
//! the expansion of each resource block into evaluated instances.

use super::eval::{Evaluator, Scope};
use super::functions::for_each_pairs;
use super::TfError;
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::{Entry, Kind, Origin, Value};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, BlockLabel, Body, Structure};
use hcl_edit::Span;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

/// Local module calls nested deeper than this end with a diagnostic (recursion).
pub const MAX_MODULE_DEPTH: usize = 16;

/// Module instances one root may evaluate (every `count`/`for_each` instance of every call,
/// nested ones included); past it, further calls are unknown and reported (AG001).
const MAX_MODULE_INSTANCES: usize = 2_000;

/// The `.tf` files of every local module directory a scan may call: absolute directory ->
/// (file, its syntax tree unless it does not parse). Every call shares the trees.
pub type ModuleDirs = HashMap<PathBuf, Vec<(FileId, Option<Arc<ModuleFile>>)>>;

/// What a root and every module it calls share: the module sources, the work budget, and
/// what evaluation found out along the way.
#[derive(Default)]
pub struct Shared {
    pub dirs: Arc<ModuleDirs>,
    pub errors: RefCell<Vec<TfError>>,
    /// (value at the module call site, attribute in the module that uses it): a finding on
    /// such a value is reported at the call site, the module attribute is the other place.
    pub redirects: RefCell<Vec<(Loc, Loc)>>,
    pub calls: RefCell<Vec<super::ModuleInstance>>,
    /// Module calls whose resources were skipped wholesale (AG005), one per `module` block.
    pub not_evaluated: RefCell<Vec<crate::notice::NotEvaluated>>,
    /// Module instances built so far, against [`MAX_MODULE_INSTANCES`].
    pub(super) instances: Cell<usize>,
    /// Span maps of the `.tf.json` files evaluated.
    pub spans: RefCell<HashMap<FileId, Arc<super::json_syntax::SpanMap>>>,
    /// The evaluation budget of the root and every module it calls.
    pub budget: crate::value::Budget,
    /// Each root's installed modules (`modules.json`), read on its first registry module
    /// call and kept for the others.
    pub installed: RefCell<HashMap<PathBuf, Installed>>,
}

/// A root's installed modules: (key, directory).
type Installed = Rc<Vec<(String, PathBuf)>>;

/// The evaluated instances of one module call: (address, module).
type Instances = Rc<Vec<(String, Module)>>;

/// A source of variable values, in precedence order (later wins).
pub enum TfVars {
    /// `terraform.tfvars`, `*.auto.tfvars`, `--var-file x.tfvars`: HCL attributes.
    Hcl(Arc<ModuleFile>),
    /// `*.tfvars.json` and `--var`: values already read, with their origin.
    Values(Vec<(String, Value)>),
}

/// Where a module instance sits in the call tree.
pub struct Placement {
    /// Absolute directory of the module's files (None: unknown, local calls unresolved).
    pub dir: Option<PathBuf>,
    /// Address prefix of its resources: "" for a root, `module.aks.` / `module.aks["k"].`.
    pub prefix: String,
    /// The caller's arguments, evaluated in the caller.
    pub inputs: HashMap<String, Value>,
    /// Directories of the calls that led here, for recursion detection.
    pub chain: Vec<PathBuf>,
    /// The caller's provider major version, when the module does not declare its own.
    pub provider_major: Option<u8>,
    /// This instance repeats what the scan evaluated already (a module instance past the
    /// first, or a module directory called before): the scan keeps its resources as copies.
    pub copy: bool,
}

/// Data sources whose configuration names a resource the model links to.
const LINKED_DATA_SOURCES: &[&str] = &["azurerm_container_registry"];

/// Counts and for_each collections beyond this are treated as unknown.
const MAX_INSTANCES: usize = 1_000;

pub struct ModuleFile {
    pub id: FileId,
    /// File name for messages ("terraform.tfvars").
    pub name: String,
    /// The scan's text of the file (shared), or for `.tf.json` the generated native syntax.
    pub text: Arc<str>,
    pub body: Body,
    /// `.tf.json`: `text` is generated native syntax; this maps its spans back.
    pub spans: Option<Arc<super::json_syntax::SpanMap>>,
    /// Repeated object keys renamed so hcl-edit accepts them: the key as written, by offset.
    pub renamed_keys: super::repeated_keys::RenamedKeys,
}

pub struct Module {
    files: Vec<Arc<ModuleFile>>,
    /// name -> (file index, default, type constraint)
    variables: HashMap<String, (usize, Option<Expression>, Option<Expression>)>,
    var_cache: RefCell<HashMap<String, Value>>,
    /// Values from terraform.tfvars / *.auto.tfvars, already evaluated.
    assigned: HashMap<String, Value>,
    locals: HashMap<String, (usize, Expression)>,
    local_cache: RefCell<HashMap<String, Value>>,
    resolving: RefCell<HashSet<String>>,
    /// (type, name) -> (file index, block index in that file's body)
    resource_blocks: HashMap<(String, String), (usize, usize)>,
    pub provider_major: Option<u8>,
    shared: Rc<Shared>,
    placement: Placement,
    /// module name -> (file index, block index)
    module_blocks: HashMap<String, (usize, usize)>,
    /// output name -> (file index, `value` expression)
    outputs: HashMap<String, (usize, Expression)>,
    /// Evaluated instances of each module call: (address, module).
    children: RefCell<HashMap<String, Instances>>,
    /// `module.<name>` as a value: its outputs (a list / map of them for count / for_each).
    child_values: RefCell<HashMap<String, Value>>,
}

impl Module {
    /// Whether the module has a `variable "name"` block.
    pub fn declares_variable(&self, name: &str) -> bool {
        self.variables.contains_key(name)
    }
    /// `files` are the `.tf` files, `tfvars` the variable files in precedence order (later wins).
    pub fn new(files: Vec<Arc<ModuleFile>>, tfvars: Vec<Arc<ModuleFile>>) -> Module {
        Module::build(
            files,
            tfvars.into_iter().map(TfVars::Hcl).collect(),
            Placement {
                dir: None,
                prefix: String::new(),
                inputs: HashMap::new(),
                chain: Vec::new(),
                provider_major: None,
                copy: false,
            },
            Rc::new(Shared::default()),
        )
    }

    /// A root (with its tfvars) or a called module (with its caller's arguments).
    pub fn build(
        files: Vec<Arc<ModuleFile>>,
        tfvars: Vec<TfVars>,
        placement: Placement,
        shared: Rc<Shared>,
    ) -> Module {
        let mut module = Module {
            files: Vec::new(),
            variables: HashMap::new(),
            var_cache: RefCell::new(HashMap::new()),
            assigned: HashMap::new(),
            locals: HashMap::new(),
            local_cache: RefCell::new(HashMap::new()),
            resolving: RefCell::new(HashSet::new()),
            resource_blocks: HashMap::new(),
            provider_major: None,
            shared,
            placement,
            module_blocks: HashMap::new(),
            outputs: HashMap::new(),
            children: RefCell::new(HashMap::new()),
            child_values: RefCell::new(HashMap::new()),
        };
        for (fi, file) in files.iter().enumerate() {
            for (bi, structure) in file.body.iter().enumerate() {
                let Structure::Block(block) = structure else {
                    continue;
                };
                match (block.ident.as_str(), labels(block).as_slice()) {
                    ("variable", [name]) => {
                        let default = block.body.get_attribute("default").map(|a| a.value.clone());
                        let ty = block.body.get_attribute("type").map(|a| a.value.clone());
                        module.variables.insert(name.clone(), (fi, default, ty));
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
                    ("module", [name]) => {
                        module.module_blocks.insert(name.clone(), (fi, bi));
                    }
                    ("output", [name]) => {
                        if let Some(value) = block.body.get_attribute("value") {
                            module
                                .outputs
                                .insert(name.clone(), (fi, value.value.clone()));
                        }
                    }
                    _ => {}
                }
            }
        }
        if module.provider_major.is_none() {
            module.provider_major = module.placement.provider_major;
        }
        for file in &files {
            if let Some(spans) = &file.spans {
                module
                    .shared
                    .spans
                    .borrow_mut()
                    .insert(file.id, spans.clone());
            }
        }
        module.files = files;
        for vars in tfvars {
            let file = match vars {
                TfVars::Values(values) => {
                    module.assigned.extend(values);
                    continue;
                }
                TfVars::Hcl(file) => file,
            };
            let fi = module.files.len();
            module.files.push(file);
            let file_name = module.file_name(fi);
            let attrs: Vec<(String, Expression)> = module.files[fi]
                .body
                .attributes()
                .map(|a| (a.key.as_str().to_string(), a.value.clone()))
                .collect();
            for (name, expr) in attrs {
                let mut ev = Evaluator::new(&module, module.files[fi].id);
                let value =
                    ev.eval(&expr, &Scope::default())
                        .with_origin(Origin::AssignedInVariableFile {
                            name: name.clone(),
                            file: file_name.clone(),
                        });
                module.assigned.insert(name, value);
            }
        }
        module
    }

    /// Records `units` of evaluation work; false once the budget is spent.
    pub fn spend(&self, units: usize) -> bool {
        self.shared.budget.spend(units as u64)
    }

    pub fn shared(&self) -> &Rc<Shared> {
        &self.shared
    }

    fn owns(&self, file: FileId) -> bool {
        self.files.iter().any(|f| f.id == file)
    }

    /// The instances of `module "<name>"`: each with its address and the module evaluated
    /// with that instance's arguments. Registry and remote modules have none (unknown).
    fn module_instances(&self, name: &str) -> Instances {
        if let Some(built) = self.children.borrow().get(name) {
            return built.clone();
        }
        let key = format!("module.{name}");
        if !self.resolving.borrow_mut().insert(key.clone()) {
            return Rc::new(Vec::new());
        }
        let built = Rc::new(self.call_module(name));
        self.resolving.borrow_mut().remove(&key);
        self.children
            .borrow_mut()
            .insert(name.to_string(), built.clone());
        built
    }

    fn call_module(&self, name: &str) -> Vec<(String, Module)> {
        let Some(&(fi, bi)) = self.module_blocks.get(name) else {
            return Vec::new();
        };
        let file = &self.files[fi];
        let Some(Structure::Block(block)) = file.body.get(bi) else {
            return Vec::new();
        };
        let mut ev = Evaluator::new(self, file.id);
        let source = block
            .body
            .get_attribute("source")
            .map(|a| ev.eval(&a.value, &Scope::default()));
        let Some(source) = source.as_ref().and_then(Value::as_str) else {
            return Vec::new();
        };
        let Some(base) = &self.placement.dir else {
            return Vec::new();
        };
        let dir = if source.starts_with("./") || source.starts_with("../") {
            crate::discover::normalize(&base.join(source))
        } else {
            // Registry (`Azure/aks/azurerm`), git and other remote modules: the copy
            // `terraform init` installed under the root, else unknown.
            let root = self.placement.chain.first().unwrap_or(base);
            let key = super::installed::call_key(&self.placement.prefix, name);
            let installed = self
                .shared
                .installed
                .borrow_mut()
                .entry(root.clone())
                .or_insert_with(|| Rc::new(super::installed::installed_modules(root)))
                .clone();
            match installed
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, dir)| dir.clone())
            {
                Some(dir) => dir,
                None => {
                    let version = block
                        .body
                        .get_attribute("version")
                        .map(|a| ev.eval(&a.value, &Scope::default()))
                        .and_then(|v| v.as_str().map(|v| format!(" {v}")))
                        .unwrap_or_default();
                    let dir = crate::source::display_path(root);
                    let dir = if dir.is_empty() { ".".to_string() } else { dir };
                    self.not_evaluated(
                        file.id,
                        block,
                        name,
                        format!(
                            "module `{name}` (`{source}`{version}) was not evaluated: \
                             `terraform init` has not installed it, so the clusters and \
                             registries it deploys were not checked"
                        ),
                        format!(
                            "run `terraform init -backend=false` in `{dir}`, then check again \
                             (aksguard reads the modules it installs under .terraform/modules; \
                             it never downloads)"
                        ),
                    );
                    return Vec::new();
                }
            }
        };
        let mut chain = self.placement.chain.clone();
        chain.push(base.clone());
        if chain.contains(&dir) || chain.len() > MAX_MODULE_DEPTH {
            let message = if chain.contains(&dir) {
                format!(
                    "module `{name}` calls `{source}`, which is already being evaluated: \
                     recursive module calls are not evaluated"
                )
            } else {
                format!(
                    "module `{name}` is nested more than {MAX_MODULE_DEPTH} calls deep: \
                     deeper module calls are not evaluated"
                )
            };
            self.shared.errors.borrow_mut().push(TfError {
                loc: header_loc(file.id, block),
                message,
            });
            return Vec::new();
        }
        let Some(sources) = self.shared.dirs.get(&dir) else {
            self.not_evaluated(
                file.id,
                block,
                name,
                format!(
                    "module `{name}` (`{source}`) was not evaluated: its directory has no \
                     Terraform files, so what it deploys was not checked"
                ),
                "point `source` at the module's directory (`terraform init` fails on it too)"
                    .to_string(),
            );
            return Vec::new();
        };
        // Parse errors in the module are reported with the module directory itself.
        let files: Vec<Arc<ModuleFile>> = sources.iter().filter_map(|(_, f)| f.clone()).collect();
        let base_address = format!("{}module.{name}", self.placement.prefix);
        let mut out = Vec::new();
        let instances = self.instances(&mut ev, &block.body, &base_address);
        let built = self.shared.instances.get() + instances.len();
        self.shared.instances.set(built);
        if built > MAX_MODULE_INSTANCES {
            self.not_evaluated(
                file.id,
                block,
                name,
                format!(
                    "module `{name}` (`{source}`) was not evaluated: the root reached \
                     aksguard's limit of {MAX_MODULE_INSTANCES} module instances, so what it \
                     deploys was not checked"
                ),
                "check the module's directory on its own, or split the root".to_string(),
            );
            return Vec::new();
        }
        let called_before = !self
            .shared
            .budget
            .first_use(files.first().map_or(file.id, |f| f.id));
        for (index, (address, scope)) in instances.into_iter().enumerate() {
            let mut inputs = HashMap::new();
            for attr in block.body.attributes() {
                let key = attr.key.as_str();
                if matches!(
                    key,
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                let value =
                    ev.eval(&attr.value, &scope)
                        .with_origin_if_none(|| Origin::ModuleArgument {
                            name: key.to_string(),
                            module: name.to_string(),
                        });
                inputs.insert(key.to_string(), value);
            }
            let placement = Placement {
                dir: Some(dir.clone()),
                prefix: format!("{address}."),
                inputs,
                chain: chain.clone(),
                provider_major: self.provider_major,
                copy: self.placement.copy || called_before || index > 0,
            };
            let child = Module::build(files.clone(), Vec::new(), placement, self.shared.clone());
            self.shared.calls.borrow_mut().push(super::ModuleInstance {
                address: address.clone(),
                header: header_loc(file.id, block),
                files: files.iter().map(|f| f.id).collect(),
            });
            out.push((address, child));
        }
        out
    }

    /// Records an AG005 notice for a `module` block, once however often it is instantiated.
    fn not_evaluated(
        &self,
        file: FileId,
        block: &Block,
        name: &str,
        message: String,
        help: String,
    ) {
        let loc = header_loc(file, block);
        let mut notices = self.shared.not_evaluated.borrow_mut();
        if notices.iter().any(|n| n.at == loc) {
            return;
        }
        notices.push(crate::notice::NotEvaluated {
            at: loc,
            resource: format!("{}module.{name}", self.placement.prefix),
            message,
            help,
        });
    }

    /// `module.<name>`: an object of the module's outputs; a list of them with `count`, a
    /// map with `for_each`; unknown for registry modules or unknown instances.
    pub fn module_value(&self, name: &str, loc: Option<Loc>) -> Value {
        if let Some(v) = self.child_values.borrow().get(name) {
            return v.clone();
        }
        let unknown = Value::unknown(format!("module.{name}"), loc);
        let Some(&(fi, bi)) = self.module_blocks.get(name) else {
            return unknown;
        };
        let Some(Structure::Block(block)) = self.files[fi].body.get(bi) else {
            return unknown;
        };
        let instances = self.module_instances(name);
        if instances.is_empty() {
            return unknown;
        }
        let base = format!("{}module.{name}", self.placement.prefix);
        let value = if block.body.has_attribute("count") {
            let mut items = Vec::new();
            for (address, child) in instances.iter() {
                if *address == base {
                    return unknown;
                }
                items.push(child.outputs_value());
            }
            Value::list(items, loc)
        } else if block.body.has_attribute("for_each") {
            let mut entries = Vec::new();
            for (address, child) in instances.iter() {
                let Some(key) = address
                    .strip_prefix(&base)
                    .and_then(|k| k.strip_prefix('['))
                    .and_then(|k| k.strip_suffix(']'))
                    .and_then(|k| serde_json::from_str::<String>(k).ok())
                else {
                    return unknown;
                };
                entries.push(Entry {
                    key,
                    key_loc: None,
                    value: child.outputs_value(),
                });
            }
            Value::map(entries, loc)
        } else {
            instances[0].1.outputs_value()
        };
        self.child_values
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
    }

    /// Every output of this module, evaluated.
    fn outputs_value(&self) -> Value {
        let mut names: Vec<&String> = self.outputs.keys().collect();
        names.sort();
        let entries = names
            .into_iter()
            .map(|name| {
                let (fi, expr) = &self.outputs[name];
                let mut ev = Evaluator::new(self, self.files[*fi].id);
                Entry {
                    key: name.clone(),
                    key_loc: None,
                    value: ev.eval(expr, &Scope::default()),
                }
            })
            .collect();
        Value::map(entries, None)
    }

    /// The instances of a resource or module block: (address, scope binding `count` /
    /// `each`). An unknown count or collection gives one instance with unknown bindings.
    fn instances(&self, ev: &mut Evaluator, body: &Body, base: &str) -> Vec<(String, Scope)> {
        let root = Scope::default();
        let mut instances: Vec<(String, Scope)> = Vec::new();
        if let Some(count) = body.get_attribute("count") {
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
                        base.to_string(),
                        root.with("count", map_of(&[("index", unknown)])),
                    ));
                }
            }
        } else if let Some(for_each) = body.get_attribute("for_each") {
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
                    instances.push((base.to_string(), root.with("each", each)));
                }
            }
        } else {
            instances.push((base.to_string(), root));
        }
        instances
    }

    fn file_name(&self, index: usize) -> String {
        self.files[index].name.clone()
    }

    /// The object key as written at `offset` when it repeats an earlier key of its object.
    pub fn renamed_key(&self, file: FileId, offset: usize) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.id == file && !f.renamed_keys.is_empty())
            .and_then(|f| f.renamed_keys.get(&offset))
            .map(String::as_str)
    }

    /// Address prefix of the module's resources (`""` in a root, `module.aks.` inside).
    pub fn prefix(&self) -> &str {
        &self.placement.prefix
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files
            .iter()
            .find(|f| f.id == file)
            .map(|f| &*f.text)
            .unwrap_or("")
    }

    pub fn variable(&self, name: &str) -> Value {
        if let Some(v) = self.var_cache.borrow().get(name) {
            return v.clone();
        }
        let key = format!("var.{name}");
        if !self.resolving.borrow_mut().insert(key.clone()) {
            return Value::unknown(key, None);
        }
        let declared = self.variables.get(name);
        let value = if let Some(v) = self.placement.inputs.get(name) {
            v.clone()
        } else if let Some(v) = self.assigned.get(name) {
            v.clone()
        } else {
            match declared {
                Some((fi, Some(default), _)) => {
                    let mut ev = Evaluator::new(self, self.files[*fi].id);
                    ev.eval(default, &Scope::default())
                        .with_origin(Origin::VariableDefault {
                            name: name.to_string(),
                        })
                }
                _ => Value::unknown(key.clone(), None),
            }
        };
        // `optional(type, default)` attributes the value leaves out get their defaults.
        let value = match declared {
            Some((fi, _, Some(ty))) => {
                let ty = super::types::Type::parse(ty);
                if ty.has_optional() {
                    let mut ev = Evaluator::new(self, self.files[*fi].id);
                    ty.apply(value, &mut ev)
                } else {
                    value
                }
            }
            _ => value,
        };
        self.resolving.borrow_mut().remove(&key);
        self.var_cache
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
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
        let value = ev
            .eval(expr, &Scope::default())
            .with_origin_if_none(|| Origin::Local {
                name: name.to_string(),
            });
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
                    ("provider", [name])
                        if name == "azurerm" && self.placement.prefix.is_empty() =>
                    {
                        out.push(self.provider(file, block))
                    }
                    ("module", [name]) => {
                        for (_, child) in self.module_instances(name).iter() {
                            out.extend(child.resources());
                        }
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
            written_name: None,
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
        let base = format!("{}{kind}.{name}", self.placement.prefix);
        let instances = self.instances(&mut ev, &block.body, &base);
        let header = header_loc(file.id, block);
        for (index, (address, scope)) in instances.into_iter().enumerate() {
            if !self.shared.budget.resource() {
                let what = format!("`{kind}.{name}`");
                let message = crate::value::resources_message(&what);
                self.shared.budget.stop(Some(header), message);
                return;
            }
            // The first instance of a block is bounded by the file; every further one (and
            // every resource of a repeated module) is a copy the scan keeps.
            let copy = index > 0 || self.placement.copy;
            if copy && !self.shared.budget.copy() {
                let what = format!("`{}{kind}.{name}`", self.placement.prefix);
                let message = crate::value::copies_message(&what);
                self.shared.budget.stop(Some(header), message);
                return;
            }
            let body = self.body_value(
                &mut ev,
                &block.body,
                &scope,
                block.span().map(|r| Loc::new(file.id, r.start, r.end)),
            );
            if copy {
                self.shared.budget.keep(&body);
            }
            let name_value = body.get("name").and_then(Value::to_text);
            out.push(RawResource {
                format: Format::Terraform,
                kind: kind.to_string(),
                address,
                file: file.id,
                header,
                body,
                name: name_value,
                written_name: None,
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
        // One entry per attribute and block (but `dynamic` ones): sized once, the entries of
        // every resource of a large scan are not grown to twice what they hold.
        let mut entries = Vec::with_capacity(body.len());
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    if matches!(attr.key.as_str(), "count" | "for_each") {
                        continue;
                    }
                    let mut key_loc = attr.span().map(|r| Loc::new(ev.file, r.start, r.end));
                    let mut value = ev.eval(&attr.value, scope);
                    if super::eval::is_error(&value) {
                        // A missing attribute or index: Terraform would stop; offline, unknown.
                        let text = attr
                            .value
                            .span()
                            .and_then(|r| self.text(ev.file).get(r))
                            .unwrap_or("<expression>");
                        value = Value::unknown(text, value.loc);
                    }
                    // A value the caller wrote: reported at the call site, the module's
                    // attribute is the other place.
                    if let (Some(passed), Some(here)) = (value.loc, key_loc) {
                        if !self.placement.prefix.is_empty() && !self.owns(passed.file) {
                            self.shared.redirects.borrow_mut().push((passed, here));
                            key_loc = Some(passed);
                        }
                    }
                    entries.push(Entry {
                        key: attr.key.as_str().to_string(),
                        key_loc,
                        value,
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
                    if let Err(limit) = self.shared.budget.charge(&value) {
                        let text = format!("dynamic \"{label}\"");
                        self.shared.budget.stop_at(header, &text, limit);
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
