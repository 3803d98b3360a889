//! Finding the files to scan and grouping them into units: a Terraform directory with its
//! tfvars, an ARM template with its parameters file.

use crate::config::Config;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

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

/// A file to read: where, what kind, and whether it was found by walking a directory named
/// on the command line, through directories that are no symbolic links (inside the scanned
/// paths by construction).
pub struct FoundFile {
    pub path: PathBuf,
    pub kind: FileKind,
    pub walked: bool,
}

pub struct Discovered {
    pub files: Vec<FoundFile>,
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
    /// What the walk saw in each directory it listed.
    pub listed: Listed,
}

/// Every name in each directory the walk listed in full, excluded and skipped ones included:
/// the later questions "is there a `aks.bicep` beside `aks.json`?", "does this root have a
/// `.terraform` directory?", "which `<stem>.parameters.*.json` are there?" are answered from
/// it instead of asking the system again (on a large scan, tens of thousands of lookups of
/// files that do not exist, and a second listing of every ARM directory).
///
/// Only "no" is taken from it: a name it holds may be a link, a directory or gone by now,
/// so that is still asked of the system, as is anything in a directory the walk did not
/// list (excluded, outside the scanned paths, a named file's directory).
#[derive(Default)]
pub struct Listed {
    /// By directory, sorted by the bytes of its path (a binary search comparing bytes is
    /// several times cheaper than one comparing path components). A directory named by
    /// other bytes (`a//b`) is not found: the system is asked.
    dirs: Vec<(PathBuf, DirNames)>,
}

/// The names of one directory, ready to be searched: sorted where the directory is listed,
/// by the thread that lists it.
struct DirNames {
    /// Sorted with ASCII letters compared as lowercase: on a file system that ignores case
    /// (macOS by default), `AKS.bicep` is found by asking for `aks.bicep`, so a name that
    /// differs only in case is found by the same binary search and is not a "no".
    names: Vec<OsString>,
    /// Whether every name is ASCII. A name that is not may match another spelling on such
    /// a file system (the Kelvin sign folds to `k`): then only an exact match is known.
    ascii: bool,
}

impl DirNames {
    fn new(mut names: Vec<OsString>) -> DirNames {
        names.sort_unstable_by(|a, b| caseless(a.as_encoded_bytes(), b.as_encoded_bytes()));
        let ascii = names.iter().all(|n| n.as_encoded_bytes().is_ascii());
        DirNames { names, ascii }
    }
}

impl Listed {
    /// Adds a directory's names, in any order of directories; [`Listed::sort`] is called
    /// when all are in.
    fn push(&mut self, dir: PathBuf, names: DirNames) {
        self.dirs.push((dir, names));
    }

    fn sort(&mut self) {
        self.dirs.sort_by(|a, b| bytes(&a.0).cmp(bytes(&b.0)));
        // A directory under two of the paths named: the first listing stands.
        self.dirs.dedup_by(|b, a| a.0 == b.0);
    }

    fn get(&self, dir: &Path) -> Option<&DirNames> {
        let at = self
            .dirs
            .binary_search_by(|(d, _)| bytes(d).cmp(bytes(dir)))
            .ok()?;
        Some(&self.dirs[at].1)
    }

    /// The names in `dir`, when the walk listed it.
    pub fn names_in(&self, dir: &Path) -> Option<&[OsString]> {
        self.get(dir).map(|d| d.names.as_slice())
    }

    /// False when `path` is surely absent: its directory was listed and holds no entry of
    /// its name (in any case). True otherwise, when only the system can tell.
    pub fn may_exist(&self, path: &Path) -> bool {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return true;
        };
        let Some(listed) = self.get(dir) else {
            return true;
        };
        let name = name.as_encoded_bytes();
        let found = listed
            .names
            .binary_search_by(|n| caseless(n.as_encoded_bytes(), name))
            .is_ok();
        found || !(listed.ascii && name.is_ascii())
    }
}

fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// Byte order with ASCII letters compared as lowercase.
fn caseless(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
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
/// parameters file that go together. A Terraform directory is listed for the first file
/// named in it only (`terraform_dirs`): a pre-commit hook may name hundreds of files of one
/// directory, and listing it (and looking at each entry) for each was quadratic.
fn unit_context(
    file: &Path,
    kind: FileKind,
    terraform_dirs: &mut std::collections::HashSet<PathBuf>,
) -> Vec<(PathBuf, FileKind)> {
    let Some(dir) = file.parent() else {
        return Vec::new();
    };
    match kind {
        FileKind::Terraform | FileKind::TfVars if !terraform_dirs.insert(dir.to_path_buf()) => {
            Vec::new()
        }
        FileKind::Terraform | FileKind::TfVars => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    // A regular file is one by its listing; a link is followed.
                    .filter(|e| {
                        e.file_type()
                            .is_ok_and(|t| t.is_file() || t.is_symlink() && e.path().is_file())
                    })
                    .map(|e| e.path())
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

/// The files found so far, by path: their kind, and whether walking found them.
#[derive(Default)]
struct Files {
    by_path: BTreeMap<PathBuf, (FileKind, bool)>,
}

impl Files {
    fn insert(&mut self, path: PathBuf, kind: FileKind) {
        let walked = self.by_path.get(&path).is_some_and(|(_, walked)| *walked);
        self.by_path.insert(path, (kind, walked));
    }

    fn insert_walked(&mut self, path: PathBuf, kind: FileKind) {
        self.by_path.insert(path, (kind, true));
    }

    fn insert_if_new(&mut self, path: PathBuf, kind: FileKind) {
        self.by_path.entry(path).or_insert((kind, false));
    }

    fn into_vec(self) -> Vec<FoundFile> {
        self.by_path
            .into_iter()
            .map(|(path, (kind, walked))| FoundFile { path, kind, walked })
            .collect()
    }
}

pub fn discover(paths: &[PathBuf], config: &Config) -> Discovered {
    // The common case, one directory, needs no map: its walk is in path order already.
    if let [root] = paths {
        if root.as_os_str() != "-" && std::fs::metadata(root).is_ok_and(|m| m.is_dir()) {
            let root = absolute(root);
            let mut files = Vec::new();
            let mut unreadable = Vec::new();
            let mut listed = Listed::default();
            walk_files(
                &root,
                config,
                &mut |path, kind, walked| files.push(FoundFile { path, kind, walked }),
                &mut unreadable,
                &mut listed,
            );
            // A walk lists each directory once, so no path comes twice.
            if !files.windows(2).all(|w| w[0].path < w[1].path) {
                files.sort_by(|a, b| a.path.cmp(&b.path));
            }
            listed.sort();
            return Discovered {
                files,
                missing: Vec::new(),
                unreadable,
                unrecognised: Vec::new(),
                focus: None,
                listed,
            };
        }
    }
    let mut files = Files::default();
    let mut missing = Vec::new();
    let mut unreadable = Vec::new();
    let mut unrecognised = Vec::new();
    let mut focus_files = std::collections::HashSet::new();
    let mut focus_dirs = Vec::new();
    let mut listed = Listed::default();
    let mut terraform_dirs = std::collections::HashSet::new();
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
                    let file = absolute(root);
                    for (path, context_kind) in unit_context(&file, kind, &mut terraform_dirs) {
                        files.insert_if_new(path, context_kind);
                    }
                    files.insert(file.clone(), kind);
                    focus_files.insert(file);
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
        walk_files(
            &absolute(root),
            config,
            &mut |path, kind, walked| {
                if walked {
                    files.insert_walked(path, kind)
                } else {
                    files.insert(path, kind)
                }
            },
            &mut unreadable,
            &mut listed,
        );
    }
    listed.sort();
    Discovered {
        files: files.into_vec(),
        missing,
        unreadable,
        unrecognised,
        focus: (!focus_files.is_empty()).then_some(Focus {
            files: focus_files,
            dirs: focus_dirs,
        }),
        listed,
    }
}

/// A Terraform variables file that Terraform loads only when `-var-file` names it.
fn is_var_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|n| n.ends_with(".tfvars") || n.ends_with(".tfvars.json"))
}

/// Hands every file of a kind aksguard reads under the directory `root` (absolute) to
/// `found`, in path order: a regular file as walked, a symbolic link to a file inside the
/// scanned tree as not walked (its target is checked); a link leading out, and every
/// directory that cannot be listed, goes to `unreadable` with the reason. What each
/// directory holds goes to `listed`.
fn walk_files(
    root: &Path,
    config: &Config,
    found: &mut dyn FnMut(PathBuf, FileKind, bool),
    unreadable: &mut Vec<(PathBuf, String)>,
    listed: &mut Listed,
) {
    for step in walk(root, config).into_iter().flatten() {
        let entry = match step {
            Step::Entry(entry) => entry,
            Step::Unlistable(path, reason) => {
                unreadable.push((path, reason));
                continue;
            }
            Step::Listed(dir, names) => {
                listed.push(dir, names);
                continue;
            }
        };
        // Directories (and sockets, FIFOs, devices the walk meets) are never read: their
        // names are not looked at.
        if !(entry.file_type.is_symlink() || entry.file_type.is_file()) {
            continue;
        }
        let Some(kind) = entry.kind else {
            continue;
        };
        if entry.file_type.is_symlink() {
            // A link to a file in the scanned tree (a shared tfvars, a monorepo's common
            // manifest) is scanned; a link leading out of it is said, never read.
            match linked_file_inside(&entry.path, root) {
                Ok(()) => found(entry.path, kind, false),
                Err(reason) => unreadable.push((entry.path, reason)),
            }
            continue;
        }
        // Walked from the absolute, normalised root, joined with names a directory listing
        // gives (never `.` or `..`): already normal.
        if entry.file_type.is_file() {
            found(entry.path, kind, true);
        }
    }
}

/// What the walk met: an entry of a directory, a directory it could not list, or every
/// name in a directory it listed in full.
enum Step {
    Entry(Entry),
    Unlistable(PathBuf, String),
    Listed(PathBuf, DirNames),
}

/// A file, directory or symbolic link (never followed) found by the walk.
struct Entry {
    path: PathBuf,
    file_type: std::fs::FileType,
    /// What a file or link is read as ([`kind_of`]), found by the thread that lists it;
    /// None for a directory.
    kind: Option<FileKind>,
}

/// Directories this many levels below the root are walked each on one thread; above, the
/// subdirectories of a directory are walked in parallel (listing directories is most of a
/// large scan's discovery, and all of it is system calls). A bound, so the parallel part
/// never recurses deeper than this, however deep the tree.
const PARALLEL_LEVELS: usize = 3;

/// Every entry under `root`, in the order of one depth-first walk sorted by name, each
/// directory just before its contents (which is also the order of their paths): never into
/// the directories in `SKIPPED_DIRS`, nor anywhere the configuration excludes. Each
/// directory is listed once. In pieces, in order: joining what each thread walked into one
/// list would copy all of it again, on the thread that waits for the walk.
fn walk(root: &Path, config: &Config) -> Vec<Vec<Step>> {
    if !config.exclude.is_empty() && config.is_excluded(root) {
        return Vec::new();
    }
    walk_parallel(root, 0, config)
}

fn walk_parallel(dir: &Path, level: usize, config: &Config) -> Vec<Vec<Step>> {
    use rayon::prelude::*;
    let mut current = Vec::new();
    let Some(entries) = listing(dir, config, &mut current) else {
        return vec![current];
    };
    let below: Vec<Vec<Vec<Step>>> = entries
        .par_iter()
        .map(|entry| {
            if !entry.file_type.is_dir() {
                Vec::new()
            } else if level + 1 < PARALLEL_LEVELS {
                walk_parallel(&entry.path, level + 1, config)
            } else {
                vec![walk_one_thread(&entry.path, config)]
            }
        })
        .collect();
    let mut pieces = Vec::new();
    for (entry, below) in entries.into_iter().zip(below) {
        current.push(Step::Entry(entry));
        if below.iter().any(|piece| !piece.is_empty()) {
            pieces.push(std::mem::take(&mut current));
            pieces.extend(below.into_iter().filter(|piece| !piece.is_empty()));
        }
    }
    pieces.push(current);
    pieces
}

/// The walk under `dir` on this thread, with a stack of listings instead of recursion: a
/// tree as deep as paths allow does not overflow a thread's stack.
fn walk_one_thread(dir: &Path, config: &Config) -> Vec<Step> {
    let mut out = Vec::new();
    let mut stack: Vec<std::vec::IntoIter<Entry>> = Vec::new();
    if let Some(entries) = listing(dir, config, &mut out) {
        stack.push(entries.into_iter());
    }
    while let Some(top) = stack.last_mut() {
        let Some(entry) = top.next() else {
            stack.pop();
            continue;
        };
        let subdirectory = entry.file_type.is_dir().then(|| entry.path.clone());
        out.push(Step::Entry(entry));
        if let Some(subdirectory) = subdirectory {
            if let Some(entries) = listing(&subdirectory, config, &mut out) {
                stack.push(entries.into_iter());
            }
        }
    }
    out
}

/// The entries of `dir` the walk goes into or reports, sorted by name; `None` (and the
/// reason in `out`) when it cannot be listed. An entry that cannot be read is reported
/// before the others; when none is, every name in `dir` follows as `Step::Listed`.
fn listing(dir: &Path, config: &Config, out: &mut Vec<Step>) -> Option<Vec<Entry>> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) => {
            out.push(Step::Unlistable(dir.to_path_buf(), e.to_string()));
            return None;
        }
    };
    // Every name, in listing order; the entries the walk goes into point at theirs.
    let mut names = Vec::new();
    let mut complete = true;
    let mut entries = Vec::new();
    for entry in read {
        let entry = entry.and_then(|e| Ok((e.file_name(), e.path(), e.file_type()?)));
        match entry {
            Ok((name, path, file_type)) => {
                if entered(&name, &path, file_type, config) {
                    // Directories (and sockets, FIFOs, devices) are never read: their
                    // names are not looked at.
                    let kind = if file_type.is_file() || file_type.is_symlink() {
                        kind_of(&path)
                    } else {
                        None
                    };
                    let entry = Entry {
                        path,
                        file_type,
                        kind,
                    };
                    entries.push((names.len(), entry));
                }
                names.push(name);
            }
            Err(e) => {
                complete = false;
                out.push(Step::Unlistable(dir.to_path_buf(), e.to_string()))
            }
        }
    }
    entries.sort_by(|(a, _), (b, _)| names[*a].cmp(&names[*b]));
    if complete {
        out.push(Step::Listed(dir.to_path_buf(), DirNames::new(names)));
    }
    Some(entries.into_iter().map(|(_, entry)| entry).collect())
}

/// Whether the walk goes into (or reports) an entry below the root: never into the
/// directories in `SKIPPED_DIRS`, nor anywhere the configuration excludes.
fn entered(
    name: &std::ffi::OsStr,
    path: &Path,
    file_type: std::fs::FileType,
    config: &Config,
) -> bool {
    let skip_dir = file_type.is_dir() && name.to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n));
    !(skip_dir || !config.exclude.is_empty() && config.is_excluded(path))
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
/// `parameters.json`. Paths only; the caller knows which are parameters files. The
/// directory is listed again only when the walk did not list it.
pub fn parameters_candidates(
    template: &Path,
    only_template: bool,
    listed: &Listed,
) -> Vec<PathBuf> {
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
        let is_env = |name: &OsStr| {
            name.to_str()
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
        };
        let mut envs: Vec<PathBuf> = match listed.names_in(dir) {
            Some(names) => names
                .iter()
                .filter(|n| is_env(n))
                .map(|n| dir.join(n))
                .collect(),
            None => std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| is_env(&e.file_name()))
                        .map(|e| e.path())
                        .collect()
                })
                .unwrap_or_default(),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aksguard-discover-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_walk_records_every_name_it_listed_skipped_and_excluded_ones_too() {
        let dir = scratch("listed");
        for file in [
            "arm/aks.json",
            "arm/AKS.bicep",
            "arm/notes.txt",
            "tf/main.tf",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        std::fs::create_dir_all(dir.join("tf/.terraform/modules")).unwrap();
        let config = Config::parse(
            "exclude = [\"arm/notes.txt\"]\n",
            &dir.join("aksguard.toml"),
        )
        .unwrap();
        let found = discover(std::slice::from_ref(&dir), &config);
        let listed = &found.listed;
        let names = |d: &str| {
            listed
                .names_in(&dir.join(d))
                .map(|n| n.iter().map(|n| n.to_string_lossy().into_owned()).collect())
        };
        assert_eq!(
            names("arm"),
            Some(vec![
                "AKS.bicep".to_string(),
                "aks.json".to_string(),
                "notes.txt".to_string()
            ])
        );
        assert_eq!(
            names("tf"),
            Some(vec![".terraform".to_string(), "main.tf".to_string()])
        );
        // Never walked into: only the system can tell what it holds.
        assert_eq!(names("tf/.terraform"), None);
        assert!(listed.may_exist(&dir.join("tf/.terraform/modules/modules.json")));
        assert!(listed.may_exist(&dir.join("tf/.terraform")));
        assert!(listed.may_exist(&dir.join("arm/notes.txt")));
        assert!(!listed.may_exist(&dir.join("arm/acr.bicep")));
        assert!(!listed.may_exist(&dir.join("tf/main.bicep")));
        // A file system that ignores case finds `AKS.bicep` by this name.
        assert!(listed.may_exist(&dir.join("arm/aks.bicep")));
        // Outside the walk.
        assert!(listed.may_exist(&std::env::temp_dir().join("anything.bicep")));
        // Several paths, one inside another: each directory once, found by the same lookup.
        let paths = [dir.join("tf"), dir.clone(), dir.join("arm")];
        let several = discover(&paths, &config).listed;
        assert_eq!(several.dirs.len(), 3);
        assert!(!several.may_exist(&dir.join("arm/acr.bicep")));
        assert!(several.may_exist(&dir.join("tf/.terraform")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parameters_candidates_are_the_same_from_the_listing_and_from_the_system() {
        let dir = scratch("candidates");
        for file in ["aks.json", "aks.parameters.dev.json", "acr.json"] {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        let found = discover(std::slice::from_ref(&dir), &Config::default_for(&dir));
        for template in ["aks.json", "acr.json"] {
            let template = dir.join(template);
            assert_eq!(
                parameters_candidates(&template, true, &found.listed),
                parameters_candidates(&template, true, &Listed::default()),
            );
        }
        assert!(
            parameters_candidates(&dir.join("aks.json"), false, &found.listed)
                .contains(&dir.join("aks.parameters.dev.json"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
