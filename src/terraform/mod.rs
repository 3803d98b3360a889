//! Terraform adapter: a directory of `.tf` files with its tfvars, evaluated offline.

pub mod eval;
pub mod functions;
pub mod module;

use crate::model::raw::RawResource;
use crate::source::{FileId, Loc};
use module::{Module, ModuleFile};

pub struct TfError {
    pub loc: Loc,
    pub message: String,
}

pub fn parse(file: FileId, name: &str, text: &str) -> Result<ModuleFile, TfError> {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(ModuleFile {
            id: file,
            name: name.to_string(),
            text: text.to_string(),
            body,
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

/// One Terraform root. `tfvars` in precedence order: terraform.tfvars, then *.auto.tfvars
/// in lexical order. Files that fail to parse are reported and left out; the rest is used.
pub fn load_root(
    files: Vec<(FileId, String, String)>,
    tfvars: Vec<(FileId, String, String)>,
) -> (Vec<RawResource>, Vec<TfError>) {
    let mut errors = Vec::new();
    let mut parse_all = |list: Vec<(FileId, String, String)>| -> Vec<ModuleFile> {
        list.into_iter()
            .filter_map(|(id, name, text)| match parse(id, &name, &text) {
                Ok(f) => Some(f),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
            .collect()
    };
    let files = parse_all(files);
    let tfvars = parse_all(tfvars);
    let module = Module::new(files, tfvars);
    (module.resources(), errors)
}
