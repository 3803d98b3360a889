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
    /// `.bicep`: a root, or a module evaluated through the files that call it.
    Bicep,
    /// `.bicepparam`: parameter values for the `.bicep` file it is `using`.
    BicepParam,
    /// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`.
    Dockerfile,
    /// GitHub Actions workflows and `azure-pipelines*.yml`.
    Pipeline,
    /// A `.tfvars` / `.tfvars.json` file Terraform does not load by itself, named on the
    /// command line: read only to say that it was not applied (AG006).
    VarFile,
}

pub fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if crate::build::is_dockerfile(path) {
        return Some(FileKind::Dockerfile);
    }
    if crate::build::pipeline::is_pipeline_path(path) {
        return Some(FileKind::Pipeline);
    }
    if lower == "terraform.tfvars.json" || lower.ends_with(".auto.tfvars.json") {
        return Some(FileKind::TfVars);
    }
    if lower.ends_with(".tf.json") {
        return Some(FileKind::Terraform);
    }
    if lower.ends_with(".tfvars.json") {
        // Variable files other roots do not load by themselves; not ARM templates either.
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
    if lower.ends_with(".bicep") {
        return Some(FileKind::Bicep);
    }
    if lower.ends_with(".bicepparam") {
        return Some(FileKind::BicepParam);
    }
    None
}

pub struct Discovered {
    pub files: Vec<(PathBuf, FileKind)>,
    /// Paths given on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Paths that could not be listed or looked at (permission denied, a path longer than
    /// the system allows), with the reason: errors, never "nothing to scan".
    pub unreadable: Vec<(PathBuf, String)>,
    /// Files named on the command line whose name is of no format aksguard reads
    /// (`notes.txt`): errors, never ignored.
    pub unrecognised: Vec<PathBuf>,
    /// When files were named one by one (a pre-commit hook passes the changed files), the
    /// rest of their unit is read for context but only these files are reported.
    pub focus: Option<Focus>,
    /// The regular files found by walking a directory named on the command line, through
    /// directories that are no symbolic links: inside the scanned paths by construction.
    pub walked: std::collections::HashSet<PathBuf>,
}

pub struct Focus {
    files: std::collections::HashSet<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Focus {
    pub fn contains(&self, path: &Path) -> bool {
        path.as_os_str() == "-"
            || self.files.contains(path)
            || self.dirs.iter().any(|d| path.starts_with(d))
    }

    /// Was this file named on the command line itself (not only found under a named
    /// directory)?
    pub fn names_file(&self, path: &Path) -> bool {
        self.files.contains(path)
    }

    /// The files and directories named on the command line (absolute).
    pub fn named(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().chain(&self.dirs).map(PathBuf::as_path)
    }
}

/// The other files of a named file's unit: its Terraform directory, or the template and
/// parameters file that go together.
fn unit_context(file: &Path, kind: FileKind) -> Vec<(PathBuf, FileKind)> {
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    match kind {
        FileKind::Terraform | FileKind::TfVars => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .filter_map(|p| match kind_of(&p) {
                        Some(k @ (FileKind::Terraform | FileKind::TfVars)) => {
                            Some((absolute(&p), k))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        FileKind::Json => {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let partner = match name.strip_suffix(".parameters.json") {
                Some(stem) => dir.join(format!("{stem}.json")),
                None => parameters_file_for(file).unwrap_or_default(),
            };
            if partner.is_file() {
                vec![(absolute(&partner), FileKind::Json)]
            } else {
                Vec::new()
            }
        }
        FileKind::BicepParam => crate::input::read_text(file)
            .ok()
            .and_then(|text| bicep_using(&text))
            .map(|using| absolute(&dir.join(using)))
            .filter(|p| p.is_file())
            .map(|p| vec![(p, FileKind::Bicep)])
            .unwrap_or_default(),
        // The modules a Bicep file calls are read when it is evaluated.
        FileKind::Yaml
        | FileKind::Bicep
        | FileKind::Dockerfile
        | FileKind::Pipeline
        | FileKind::VarFile => Vec::new(),
    }
}

pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    let mut files = BTreeMap::new();
    let mut missing = Vec::new();
    let mut unreadable = Vec::new();
    let mut unrecognised = Vec::new();
    let mut focus_files = std::collections::HashSet::new();
    let mut focus_dirs = Vec::new();
    let mut walked = std::collections::HashSet::new();
    for root in paths {
        if root.as_os_str() == "-" {
            // A manifest stream on standard input (`helm template . | aksguard check -`).
            files.insert(root.clone(), FileKind::Yaml);
            continue;
        }
        if root.is_file() {
            // An explicitly named file is scanned even when excluded or unusually named; one
            // aksguard cannot check is said, never passed over.
            match kind_of(root) {
                Some(kind) => {
                    for (path, context_kind) in unit_context(&absolute(root), kind) {
                        files.entry(path).or_insert(context_kind);
                    }
                    files.insert(absolute(root), kind);
                    focus_files.insert(absolute(root));
                }
                None if is_var_file(root) => {
                    files.insert(absolute(root), FileKind::VarFile);
                    focus_files.insert(absolute(root));
                }
                None => unrecognised.push(root.clone()),
            }
            continue;
        }
        match std::fs::metadata(root) {
            Ok(metadata) if metadata.is_dir() => {}
            // A FIFO or device named on the command line: the reader says what it is.
            Ok(_) => {
                if let Some(kind) = kind_of(root) {
                    files.insert(absolute(root), kind);
                    focus_files.insert(absolute(root));
                } else {
                    unreadable.push((root.clone(), "not a regular file or directory".to_string()));
                }
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(root.clone());
                continue;
            }
            Err(e) => {
                unreadable.push((root.clone(), e.to_string()));
                continue;
            }
        }
        focus_dirs.push(absolute(root));
        // Walk from the absolute root so every entry is absolute already: resolving each
        // relative entry asks the OS for the working directory, per file.
        let walker = walk(&absolute(root), config);
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // A directory that cannot be listed hides whatever it holds.
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let reason = e
                        .io_error()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| e.to_string());
                    unreadable.push((path, reason));
                    continue;
                }
            };
            let Some(kind) = kind_of(entry.path()) else {
                continue;
            };
            if entry.file_type().is_symlink() {
                // A link to a file in the scanned tree (a shared tfvars, a monorepo's common
                // manifest) is scanned; a link leading out of it is said, never read.
                match linked_file_inside(entry.path(), root) {
                    Ok(()) => {
                        files.insert(normalize(entry.path()), kind);
                    }
                    Err(reason) => unreadable.push((entry.path().to_path_buf(), reason)),
                }
                continue;
            }
            if entry.file_type().is_file() {
                let path = normalize(entry.path());
                walked.insert(path.clone());
                files.insert(path, kind);
            }
        }
    }
    Discovered {
        files: files.into_iter().collect(),
        missing,
        unreadable,
        unrecognised,
        walked,
        focus: (!focus_files.is_empty()).then_some(Focus {
            files: focus_files,
            dirs: focus_dirs,
        }),
    }
}

/// A Terraform variables file that Terraform loads only when `-var-file` names it.
fn is_var_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|n| n.ends_with(".tfvars") || n.ends_with(".tfvars.json"))
}

/// Whether the walk goes into (or reports) an entry: never into the directories in
/// `SKIPPED_DIRS` below the root, nor anywhere the configuration excludes.
fn entered(entry: &walkdir::DirEntry, below_root: bool, config: &Config) -> bool {
    let skip_dir = entry.file_type().is_dir()
        && below_root
        && entry
            .file_name()
            .to_str()
            .is_some_and(|n| SKIPPED_DIRS.contains(&n));
    !(skip_dir || !config.exclude.is_empty() && config.is_excluded(entry.path()))
}

/// Every entry under `root` in the order of one sorted, depth-first walk, each directory
/// just before its contents. The root and the directories beside it are listed first; the
/// trees under those directories are walked in parallel (listing directories is most of a
/// large scan's discovery, and all of it is system calls), then put back in order.
fn walk(root: &Path, config: &Config) -> Vec<walkdir::Result<walkdir::DirEntry>> {
    use rayon::prelude::*;
    let top: Vec<walkdir::Result<walkdir::DirEntry>> = WalkDir::new(root)
        .follow_links(false)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| entered(e, e.depth() > 0, config))
        .collect();
    let below: Vec<Vec<walkdir::Result<walkdir::DirEntry>>> = top
        .par_iter()
        .map(|entry| match entry {
            // Not a symbolic link: the walk does not follow them.
            Ok(dir) if dir.depth() == 1 && dir.file_type().is_dir() => WalkDir::new(dir.path())
                .follow_links(false)
                .min_depth(1)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| entered(e, true, config))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    top.into_iter()
        .zip(below)
        .flat_map(|(entry, below)| std::iter::once(entry).chain(below))
        .collect()
}

/// Ok when the symbolic link `link` found under `root` leads to a regular file under `root`
/// (both with links resolved); else why it is not scanned.
fn linked_file_inside(link: &Path, root: &Path) -> Result<(), String> {
    let target = std::fs::canonicalize(link)
        .map_err(|e| format!("a symbolic link that cannot be followed ({e}): not scanned"))?;
    let root = std::fs::canonicalize(absolute(root)).unwrap_or_else(|_| absolute(root));
    if !target.starts_with(&root) {
        return Err("a symbolic link to outside the scanned paths: not read".to_string());
    }
    // A link to a FIFO or device inside: the reader says what it is.
    Ok(())
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
pub fn normalize(path: &Path) -> PathBuf {
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

/// Parameters files that may belong to a template, best first: `<stem>.parameters.json`,
/// `parameters-<stem>.json`, `<stem>.parameters.<env>.json`; then, when `only_template` (no
/// other template beside it), the generic `azuredeploy.parameters.json` and
/// `parameters.json`. Paths only; the caller knows which are parameters files.
pub fn parameters_candidates(template: &Path, only_template: bool) -> Vec<PathBuf> {
    let Some(stem) = template
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".json"))
    else {
        return Vec::new();
    };
    let mut out = vec![
        template.with_file_name(format!("{stem}.parameters.json")),
        template.with_file_name(format!("parameters-{stem}.json")),
    ];
    // `<stem>.parameters.<env>.json`: only when there is exactly one environment.
    if let Some(dir) = template.parent() {
        let prefix = format!("{stem}.parameters.");
        let mut envs: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if envs.len() == 1 {
            out.append(&mut envs);
        }
    }
    if only_template {
        out.push(template.with_file_name("azuredeploy.parameters.json"));
        out.push(template.with_file_name("parameters.json"));
    }
    out
}

/// The path in a `.bicepparam` file's `using './main.bicep'` line.
fn bicep_using(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("using")?.trim_start();
        let rest = rest.strip_prefix('\'')?;
        Some(rest[..rest.find('\'')?].to_string())
    })
}
