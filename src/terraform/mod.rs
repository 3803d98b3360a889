//! Terraform adapter: a directory of `.tf` files with its tfvars, evaluated offline.

pub mod eval;
pub mod files;
pub mod functions;
pub mod installed;
pub mod json_syntax;
pub mod module;
pub mod repeated_keys;
pub mod roots;
pub mod types;

use crate::model::raw::RawResource;
use crate::source::{FileId, Loc};
use crate::value::{Origin, Value};
use module::{Module, ModuleDirs, ModuleFile, Placement, Shared, TfVars};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct TfError {
    pub loc: Loc,
    pub message: String,
}

/// How many Terraform texts were parsed since the process started: a scan parses each of
/// its files once (tests/parse_once.rs).
static PARSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[doc(hidden)]
pub fn parses() -> usize {
    PARSES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Parses a Terraform text (`.tf`, `.tf.json` by its name, `.tfvars`). A scan parses its
/// files through [`files::Files`], each once; the tree keeps `text` without copying it.
pub fn parse(file: FileId, name: &str, text: impl Into<Arc<str>>) -> Result<ModuleFile, TfError> {
    PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let text: Arc<str> = text.into();
    if name.to_ascii_lowercase().ends_with(".tf.json") {
        let (native, spans) = json_syntax::to_native(file, &text)?;
        let mut parsed =
            parse_native(file, "generated.tf", native.into()).map_err(|e| TfError {
                loc: spans.loc(e.loc),
                message: e.message,
            })?;
        parsed.name = name.to_string();
        parsed.spans = Some(Arc::new(spans));
        return Ok(parsed);
    }
    parse_native(file, name, text)
}

fn parse_native(file: FileId, name: &str, text: Arc<str>) -> Result<ModuleFile, TfError> {
    match repeated_keys::parse_body(&text) {
        Ok((body, renamed_keys)) => Ok(ModuleFile {
            id: file,
            name: name.to_string(),
            text,
            body,
            spans: None,
            renamed_keys,
        }),
        Err(e) => {
            let offset = e.location().offset().min(text.len());
            Err(TfError {
                loc: Loc::new(file, offset, offset),
                message: format!("invalid HCL: {}", e.message()),
            })
        }
    }
}

/// The places evaluation stopped at a limit, as errors (AG001).
fn limits(budget: &crate::value::Budget) -> impl Iterator<Item = TfError> {
    budget.take_stops().into_iter().map(|s| TfError {
        loc: s.loc,
        message: s.message,
    })
}

/// A root directory with everything around it, its files parsed ([`files::Files`]).
#[derive(Default)]
pub struct Root {
    /// `.tf` and `.tf.json` files.
    pub files: Vec<files::Tree>,
    /// Variable files in precedence order (later wins): `terraform.tfvars`,
    /// `terraform.tfvars.json`, `*.auto.tfvars(.json)`, then `--var-file`s.
    pub tfvars: Vec<files::File>,
    /// `--var name=value`, after every file.
    pub vars: Vec<(String, String)>,
    /// Values a Terraform plan of this root gives its variables, before every file (see
    /// `Plan::planned_variables`).
    pub planned: Vec<(String, Value)>,
    /// The root's absolute directory: local module sources are relative to it.
    pub dir: Option<PathBuf>,
    /// The local module directories the scan may call.
    pub modules: Arc<ModuleDirs>,
    /// The evaluation budget every root of the scan shares.
    pub scan: Arc<crate::value::ScanBudget>,
}

/// One instance of a `module` call: where a finding inside the module was called from.
#[derive(Debug, Clone)]
pub struct ModuleInstance {
    /// `module.aks["prod"]`.
    pub address: String,
    /// The `module` block's header.
    pub header: Loc,
    /// The module's files.
    pub files: Vec<FileId>,
}

pub struct Loaded {
    pub resources: Vec<RawResource>,
    pub errors: Vec<TfError>,
    /// (value written at a module call site, module attribute that uses it).
    pub redirects: Vec<(Loc, Loc)>,
    pub calls: Vec<ModuleInstance>,
    /// `module` blocks whose resources were skipped wholesale (AG005).
    pub not_evaluated: Vec<crate::notice::NotEvaluated>,
    /// The `--var` names the root declares a variable of.
    pub declared_vars: Vec<String>,
}

/// Evaluates a root and, through it, the local modules it calls.
pub fn load(root: Root) -> Loaded {
    let mut errors = Vec::new();
    let files: Vec<Arc<ModuleFile>> = root
        .files
        .into_iter()
        .filter_map(|tree| match tree {
            Ok(f) => Some(f),
            Err(e) => {
                errors.push(e);
                None
            }
        })
        .collect();
    let mut tfvars = Vec::new();
    if !root.planned.is_empty() {
        tfvars.push(TfVars::Values(root.planned));
    }
    for file in root.tfvars {
        match file {
            files::File::Hcl(Ok(f)) => tfvars.push(TfVars::Hcl(f)),
            files::File::Values(Ok(values)) => {
                tfvars.push(TfVars::Values(Arc::unwrap_or_clone(values)));
            }
            files::File::Hcl(Err(e)) | files::File::Values(Err(e)) => errors.push(e),
        }
    }
    let cli_names: Vec<&String> = root.vars.iter().map(|(name, _)| name).collect();
    if !root.vars.is_empty() {
        let values = root
            .vars
            .iter()
            .map(|(name, text)| (name.clone(), cli_value(name, text)))
            .collect();
        tfvars.push(TfVars::Values(values));
    }
    let shared = Rc::new(Shared {
        dirs: root.modules,
        budget: crate::value::Budget::within(root.scan),
        ..Shared::default()
    });
    let placement = Placement {
        dir: root.dir,
        prefix: String::new(),
        inputs: HashMap::new(),
        chain: Vec::new(),
        provider_major: None,
        copy: false,
    };
    let module = Module::build(files, tfvars, placement, shared.clone());
    let declared_vars = cli_names
        .into_iter()
        .filter(|name| module.declares_variable(name))
        .cloned()
        .collect();
    let mut resources = module.resources();
    drop(module);
    let shared = Rc::try_unwrap(shared).unwrap_or_default();
    errors.extend(shared.errors.into_inner());
    errors.extend(limits(&shared.budget));
    let mut redirects = shared.redirects.into_inner();
    let mut calls = shared.calls.into_inner();
    let mut not_evaluated = shared.not_evaluated.into_inner();
    // Locations in `.tf.json` files point into the generated text until mapped back.
    let spans = shared.spans.into_inner();
    if !spans.is_empty() {
        let map = |loc: &mut Loc| {
            if let Some(s) = spans.get(&loc.file) {
                *loc = s.loc(*loc);
            }
        };
        for r in &mut resources {
            map(&mut r.header);
            // Values may come from another `.tf.json` (a caller's argument): every map
            // touches only its own file.
            for s in spans.values() {
                s.value(&mut r.body);
            }
        }
        for (a, b) in &mut redirects {
            map(a);
            map(b);
        }
        for e in &mut errors {
            map(&mut e.loc);
        }
        for call in &mut calls {
            map(&mut call.header);
        }
        for notice in &mut not_evaluated {
            map(&mut notice.at);
        }
    }
    Loaded {
        resources,
        errors,
        redirects,
        calls,
        not_evaluated,
        declared_vars,
    }
}

/// A root of one `main.tf`, loaded as a scan loads a root (for unit tests).
#[cfg(test)]
pub fn load_main(text: &str) -> Loaded {
    load(Root {
        files: vec![parse(0, "main.tf", text).map(Arc::new)],
        ..Root::default()
    })
}

/// A `--var name=value`: as Terraform does, a list or object is read as an HCL
/// expression, anything else is the string itself.
fn cli_value(name: &str, text: &str) -> Value {
    let origin = Origin::CommandLine {
        name: name.to_string(),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let source = format!("v = {text}\n");
        if let Ok(file) = parse(FileId::MAX, "--var", source) {
            if let Some(expr) = file.body.get_attribute("v").map(|a| a.value.clone()) {
                let module = Module::new(vec![Arc::new(file)], Vec::new());
                let mut ev = eval::Evaluator::new(&module, FileId::MAX);
                let value = ev.eval(&expr, &eval::Scope::default());
                return without_locs(value).with_origin(origin);
            }
        }
    }
    Value::string(text, None).with_origin(origin)
}

/// A value from the command line has no place in any file.
fn without_locs(mut value: Value) -> Value {
    value.loc = None;
    value.kind = match value.kind {
        crate::value::Kind::List(items) => {
            crate::value::Kind::List(items.into_iter().map(without_locs).collect())
        }
        crate::value::Kind::Map(entries) => crate::value::Kind::Map(
            entries
                .into_iter()
                .map(|e| crate::value::Entry {
                    key: e.key,
                    key_loc: None,
                    value: without_locs(e.value),
                })
                .collect(),
        ),
        other => other,
    };
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(main: &str, modules: Vec<(&str, &str)>) -> Loaded {
        let mut dirs = ModuleDirs::new();
        for (i, (dir, text)) in modules.into_iter().enumerate() {
            let id = i as FileId + 1;
            dirs.insert(
                PathBuf::from(dir),
                vec![(id, parse(id, "main.tf", text).ok().map(Arc::new))],
            );
        }
        load(Root {
            files: vec![parse(0, "main.tf", main).map(Arc::new)],
            dir: Some(PathBuf::from("/r")),
            modules: Arc::new(dirs),
            ..Root::default()
        })
    }

    #[test]
    fn module_fan_out_is_bounded() {
        let started = std::time::Instant::now();
        let loaded = root(
            "module \"a\" {\n  source = \"./a\"\n  count = 1000\n}\n",
            vec![
                (
                    "/r/a",
                    "module \"b\" {\n  source = \"../b\"\n  count = 1000\n}\n",
                ),
                ("/r/b", "resource \"r\" \"x\" {\n  v = 1\n}\n"),
            ],
        );
        assert!(
            loaded.resources.len() <= 2_000,
            "{}",
            loaded.resources.len()
        );
        assert!(started.elapsed().as_secs() < 20);
    }

    #[test]
    fn deep_module_chains_end_with_a_diagnostic() {
        let mut modules = Vec::new();
        let dirs: Vec<String> = (0..20).map(|i| format!("/r/m{i}")).collect();
        let texts: Vec<String> = (0..20)
            .map(|i| format!("module \"next\" {{\n  source = \"../m{}\"\n}}\n", i + 1))
            .collect();
        for i in 0..20 {
            modules.push((dirs[i].as_str(), texts[i].as_str()));
        }
        let loaded = root("module \"first\" {\n  source = \"./m0\"\n}\n", modules);
        assert_eq!(loaded.errors.len(), 1);
        assert!(loaded.errors[0].message.contains("nested more than 16"));
    }

    #[test]
    fn outputs_of_counted_and_for_each_modules() {
        let loaded = root(
            "module \"c\" {\n  source = \"./m\"\n  count = 2\n  v = count.index\n}\nmodule \"f\" {\n  source = \"./m\"\n  for_each = { k = 7 }\n  v = each.value\n}\nresource \"r\" \"x\" {\n  a = module.c[1].out\n  b = module.f[\"k\"].out\n}\n",
            vec![("/r/m", "variable \"v\" {}\noutput \"out\" {\n  value = var.v * 10\n}\n")],
        );
        let r = loaded
            .resources
            .iter()
            .find(|r| r.address == "r.x")
            .expect("r.x");
        assert_eq!(r.body.get("a").and_then(Value::as_number), Some(10.0));
        assert_eq!(r.body.get("b").and_then(Value::as_number), Some(70.0));
    }

    #[test]
    fn a_repeated_object_key_takes_the_later_value_as_in_terraform() {
        let loaded = root(
            "locals {\n  p = \"k\"\n}\nresource \"r\" \"x\" {\n  a = { v = 1, v = 2 }.v\n  b = { \"${local.p}\" = 1, \"${local.p}\" = 3 }\n  c = { \"w\" = 1, w = 4, (local.p) = 5 }\n  d = length({ v = 1, v = 2, v = 3 })\n}\n",
            Vec::new(),
        );
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let r = &loaded.resources[0];
        let number = |name: &str| r.body.get(name).and_then(Value::as_number);
        assert_eq!(number("a"), Some(2.0));
        assert_eq!(
            r.body
                .get("b")
                .and_then(|b| b.get("k"))
                .and_then(Value::as_number),
            Some(3.0)
        );
        let c = r.body.get("c").and_then(Value::as_map).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            r.body
                .get("c")
                .and_then(|c| c.get("w"))
                .and_then(Value::as_number),
            Some(4.0)
        );
        assert_eq!(number("d"), Some(1.0));
    }

    #[test]
    fn cli_vars_read_lists_and_objects_as_hcl_and_the_rest_as_strings() {
        let list = cli_value("ranges", r#"["10.0.0.0/16", "10.1.0.0/16"]"#);
        assert_eq!(list.as_list().map(<[Value]>::len), Some(2));
        assert!(list.as_list().unwrap().iter().all(|v| v.loc.is_none()));
        let object = cli_value("o", "{ enabled = true }");
        assert_eq!(object.get("enabled").and_then(Value::as_bool), Some(true));
        assert_eq!(cli_value("s", "azure").as_str(), Some("azure"));
        // Not valid HCL: kept as the string given.
        assert_eq!(cli_value("s", "[unclosed").as_str(), Some("[unclosed"));
    }
}
