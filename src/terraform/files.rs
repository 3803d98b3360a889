//! The Terraform files of one scan, each parsed once: unit formation reads the module calls
//! out of the same syntax trees that every root, and every call of a module, evaluates. A
//! tree keeps its file's text by sharing the scan's own copy (`SourceFile::text`).
//!
//! A syntax tree takes many times its file's size, so a file unit formation does not need
//! is parsed by the root that evaluates it, in the parallel stage that evaluates the roots,
//! and freed there with the evaluation: a tfvars file, or a `.tf` file that never spells
//! `module` (and so calls none). Only the others are parsed before the units are formed.
//!
//! What this holds is bounded by what the scan reads: one tree per Terraform file read
//! (each at most `MAX_FILE_BYTES`, module directories at most `roots::MAX_MODULE_DIRS`);
//! calling a module again, from any root or instance, shares its trees.

use super::module::ModuleFile;
use super::TfError;
use crate::source::{FileId, Sources};
use crate::value::{Origin, Value};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

/// A `.tf` or `.tf.json` file (or a `.tfvars` file, which is HCL too): its syntax tree, or
/// why it has none.
pub type Tree = Result<Arc<ModuleFile>, TfError>;

/// A Terraform file as the scan read it.
#[derive(Clone)]
pub enum File {
    /// `.tf`, `.tf.json`, `.tfvars`.
    Hcl(Tree),
    /// `.tfvars.json`: the values it assigns, with their origin.
    Values(Result<Arc<Vec<(String, Value)>>, TfError>),
}

/// How a file is read: as configuration, or as a variable file (which may be JSON).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Configuration,
    Variables,
}

/// One file, parsed now or when it is first asked for.
#[derive(Clone)]
pub struct Pending {
    id: FileId,
    role: Role,
    parsed: OnceLock<File>,
}

impl Pending {
    fn get(&self, sources: &Sources) -> &File {
        self.parsed
            .get_or_init(|| read(sources, self.id, self.role))
    }

    /// The file, parsed here if it was not yet.
    pub fn parse(self, sources: &Sources) -> File {
        match self.parsed.into_inner() {
            Some(file) => file,
            None => read(sources, self.id, self.role),
        }
    }
}

/// Every Terraform file of a scan, by id.
#[derive(Default)]
pub struct Files {
    files: HashMap<FileId, Pending>,
    /// Files every root reads (`--var-file`): kept when a root takes its files.
    shared: HashSet<FileId>,
}

impl Files {
    /// Parses the files unit formation reads (in parallel), each once; the others are
    /// parsed by whoever takes them.
    pub fn parse_all(sources: &Sources, files: &[(FileId, Role)]) -> Files {
        let files: HashMap<FileId, Pending> = files
            .iter()
            .map(|&(id, role)| {
                let pending = Pending {
                    id,
                    role,
                    parsed: OnceLock::new(),
                };
                (id, pending)
            })
            .collect();
        files
            .par_iter()
            .filter(|(id, pending)| may_call_modules(sources, **id, pending.role))
            .for_each(|(_, pending)| {
                pending.get(sources);
            });
        Files {
            files,
            shared: HashSet::new(),
        }
    }

    /// Marks a file that every root reads: [`Files::take`] leaves it in place, parsed once
    /// for all of them.
    pub fn share(&mut self, sources: &Sources, id: FileId) {
        if let Some(pending) = self.files.get(&id) {
            pending.get(sources);
        }
        self.shared.insert(id);
    }

    /// A root's own file, for its evaluation: the root is the only one to read it, so the
    /// tree is parsed and freed with the root's evaluation instead of being held to the end
    /// of the scan. Module files are held by the module directories
    /// ([`super::module::ModuleDirs`]).
    pub fn take(&mut self, id: FileId) -> Option<Pending> {
        if self.shared.contains(&id) {
            self.files.get(&id).cloned()
        } else {
            self.files.remove(&id)
        }
    }

    /// Parses one more file, unless it was parsed already.
    pub fn add(&mut self, sources: &Sources, id: FileId, role: Role) {
        self.files
            .entry(id)
            .or_insert_with(|| Pending {
                id,
                role,
                parsed: OnceLock::new(),
            })
            .get(sources);
    }

    /// Parses these files (in parallel) where they were not yet: the files of the
    /// directories called as modules, which every call shares.
    pub fn parse_now(&self, sources: &Sources, ids: &[FileId]) {
        ids.par_iter().for_each(|id| {
            if let Some(pending) = self.files.get(id) {
                pending.get(sources);
            }
        });
    }

    /// The syntax tree of a `.tf`/`.tf.json` file (parsed now if it was not yet); None
    /// when it was not read as one.
    pub fn tree(&self, sources: &Sources, id: FileId) -> Option<&Tree> {
        match self.files.get(&id)?.get(sources) {
            File::Hcl(tree) => Some(tree),
            File::Values(_) => None,
        }
    }

    /// The local sources (`./modules/aks`, `../shared`) of the module calls in a file, as
    /// written; nothing when the file does not parse.
    pub fn local_module_sources(&self, sources: &Sources, id: FileId) -> Vec<String> {
        let Some(pending) = self.files.get(&id) else {
            return Vec::new();
        };
        if !may_call_modules(sources, id, pending.role) {
            return Vec::new();
        }
        let Some(Ok(file)) = self.tree(sources, id) else {
            return Vec::new();
        };
        file.body
            .get_blocks("module")
            .filter_map(|block| block.body.get_attribute("source"))
            .filter_map(|source| source.value.as_str().map(str::to_string))
            .filter(|source| source.starts_with("./") || source.starts_with("../"))
            .collect()
    }
}

/// Whether a file may hold a `module` block: a configuration file in JSON (whose keys may
/// be written with escapes), or in native syntax spelling `module` (a block type is a
/// bare identifier there).
fn may_call_modules(sources: &Sources, id: FileId, role: Role) -> bool {
    let file = sources.get(id);
    role == Role::Configuration
        && (file.display.to_ascii_lowercase().ends_with(".json") || file.text.contains("module"))
}

/// The one place a scan parses a Terraform file. Its name in messages and origins is its
/// display path: a bare `main.tf` would not tell a root's file from a module's.
fn read(sources: &Sources, id: FileId, role: Role) -> File {
    let file = sources.get(id);
    let name = file.display.as_str();
    if role == Role::Variables && name.to_ascii_lowercase().ends_with(".json") {
        return File::Values(variables_json(id, name, &file.text).map(Arc::new));
    }
    File::Hcl(super::parse(id, name, file.text.clone()).map(Arc::new))
}
/// A `.tfvars.json` file: its top-level keys, each assigned in this file.
fn variables_json(id: FileId, name: &str, text: &str) -> Result<Vec<(String, Value)>, TfError> {
    match crate::json::value(id, text) {
        Ok(value) => Ok(value
            .as_map()
            .unwrap_or(&[])
            .iter()
            .map(|e| {
                let origin = Origin::AssignedInVariableFile {
                    name: e.key.clone(),
                    file: name.to_string(),
                };
                (e.key.clone(), e.value.clone().with_origin(origin))
            })
            .collect()),
        Err(e) => Err(TfError {
            loc: e.loc(id),
            message: format!("invalid JSON variable file: {}", e.message),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Unit formation parses only the files that may call a module; the others are parsed
    /// by the root that takes them, and every file's module calls are still found, a JSON
    /// key spelled with an escape included.
    #[test]
    fn files_without_module_calls_are_parsed_when_taken() {
        let mut sources = Sources::default();
        let mut add = |name: &str, text: &str| sources.add(PathBuf::from(name), text.to_string());
        let plain = add("/r/main.tf", "resource \"x\" \"y\" {\n  a = 1\n}\n");
        let calls = add("/r/calls.tf", "module \"m\" {\n  source = \"./m\"\n}\n");
        let json = add(
            "/r/calls.tf.json",
            r#"{"modul\u0065": {"j": {"source": "../j"}}}"#,
        );
        let tfvars = add("/r/terraform.tfvars", "a = 1\n");
        let files = Files::parse_all(
            &sources,
            &[
                (plain, Role::Configuration),
                (calls, Role::Configuration),
                (json, Role::Configuration),
                (tfvars, Role::Variables),
            ],
        );
        let parsed = |id: FileId| files.files[&id].parsed.get().is_some();
        assert!(!parsed(plain));
        assert!(!parsed(tfvars));
        assert!(parsed(calls));
        assert!(parsed(json));
        assert!(files.local_module_sources(&sources, plain).is_empty());
        assert!(
            !parsed(plain),
            "a file that never spells `module` calls none"
        );
        assert_eq!(files.local_module_sources(&sources, calls), ["./m"]);
        assert_eq!(files.local_module_sources(&sources, json), ["../j"]);
        let mut files = files;
        let taken = files.take(plain).expect("a root's file");
        assert!(matches!(taken.parse(&sources), File::Hcl(Ok(_))));
        assert!(files.take(plain).is_none());
        let taken = files.take(tfvars).expect("a root's variable file");
        assert!(matches!(taken.parse(&sources), File::Hcl(Ok(_))));
    }
}
