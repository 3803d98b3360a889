//! Finding the files to scan and grouping them into units: a Terraform directory with its
//! tfvars, an ARM template with its parameters file.

use crate::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Directories that never hold the user's own infrastructure code.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".terraform",
    "node_modules",
    ".hg",
    ".svn",
    "target",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Terraform,
    /// `terraform.tfvars` / `*.auto.tfvars`: loaded with their directory's root.
    TfVars,
    /// Any `.json`: an ARM template, a parameters file, or unrelated JSON (decided by content).
    Json,
    /// `.yaml` / `.yml`: Kubernetes manifests when the content says so.
    Yaml,
}

pub fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf.json") || lower.ends_with(".tfvars.json") {
        // Terraform JSON syntax is a later input; not an ARM template either.
        return None;
    }
    if lower.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    if lower == "terraform.tfvars" || lower.ends_with(".auto.tfvars") {
        return Some(FileKind::TfVars);
    }
    if lower.ends_with(".json") || lower.ends_with(".jsonc") {
        return Some(FileKind::Json);
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return Some(FileKind::Yaml);
    }
    None
}

pub struct Discovered {
    pub files: Vec<(PathBuf, FileKind)>,
    /// Paths given on the command line that do not exist.
    pub missing: Vec<PathBuf>,
}

pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    let mut files = BTreeMap::new();
    let mut missing = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            // A manifest stream on standard input (`helm template . | aksguard check -`).
            files.insert(root.clone(), FileKind::Yaml);
            continue;
        }
        if root.is_file() {
            // An explicitly named file is scanned even when excluded or unusually named.
            if let Some(kind) = kind_of(root) {
                files.insert(absolute(root), kind);
            }
            continue;
        }
        if !root.is_dir() {
            missing.push(root.clone());
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let skip_dir = e.file_type().is_dir()
                    && e.depth() > 0
                    && e.file_name()
                        .to_str()
                        .is_some_and(|n| SKIPPED_DIRS.contains(&n));
                !skip_dir && !config.is_excluded(&absolute(e.path()))
            });
        for entry in walker.filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            if let Some(kind) = kind_of(entry.path()) {
                files.insert(absolute(entry.path()), kind);
            }
        }
    }
    Discovered {
        files: files.into_iter().collect(),
        missing,
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    normalize(&joined)
}

/// Remove `.` and `..` components without touching the file system (symlinks stay as named).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The parameters file that belongs to a template: `<stem>.parameters.json` beside it.
pub fn parameters_file_for(template: &Path) -> Option<PathBuf> {
    let name = template.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json")?;
    let candidate = template.with_file_name(format!("{stem}.parameters.json"));
    candidate.is_file().then_some(candidate)
}
