//! The Terraform files of one scan, each parsed once: unit formation reads the module calls
//! out of the same syntax trees that every root, and every call of a module, evaluates. A
//! tree keeps its file's text by sharing the scan's own copy (`SourceFile::text`).
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
use std::sync::Arc;

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

/// Every Terraform file of a scan, by id.
#[derive(Default)]
pub struct Files {
    files: HashMap<FileId, File>,
    /// Files every root reads (`--var-file`): kept when a root takes its files.
    shared: HashSet<FileId>,
}

impl Files {
    /// Parses the files (in parallel): each once.
    pub fn parse_all(sources: &Sources, files: &[(FileId, Role)]) -> Files {
        let parsed: Vec<(FileId, File)> = files
            .par_iter()
            .map(|&(id, role)| (id, read(sources, id, role)))
            .collect();
        Files {
            files: parsed.into_iter().collect(),
            shared: HashSet::new(),
        }
    }

    /// Marks a file that every root reads: [`Files::take`] leaves it in place.
    pub fn share(&mut self, id: FileId) {
        self.shared.insert(id);
    }

    /// A root's own file, for its evaluation: the root is the only one to read it, so the
    /// tree is freed with the root's evaluation instead of being held to the end of the
    /// scan. Module files are held by the module directories ([`super::module::ModuleDirs`]).
    pub fn take(&mut self, id: FileId) -> Option<File> {
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
            .or_insert_with(|| read(sources, id, role));
    }

    /// The syntax tree of a `.tf`/`.tf.json` file; None when it was not read as one.
    pub fn tree(&self, id: FileId) -> Option<&Tree> {
        match self.files.get(&id) {
            Some(File::Hcl(tree)) => Some(tree),
            _ => None,
        }
    }

    /// The local sources (`./modules/aks`, `../shared`) of the module calls in a file, as
    /// written; nothing when the file does not parse.
    pub fn local_module_sources(&self, id: FileId) -> Vec<String> {
        let Some(Ok(file)) = self.tree(id) else {
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
