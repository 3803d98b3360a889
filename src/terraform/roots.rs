//! Which Terraform directories of a scan are roots: a directory only called as a local
//! module is evaluated through its callers, not as a root of its own (DESIGN §4).

use super::files::{Files, Role};
use super::module::ModuleDirs;
use crate::discover::{self, FileKind};
use crate::finding::Problem;
use crate::source::{FileId, Sources};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Module calls nested deeper than this are not followed when looking for module files.
const MAX_MODULE_DIRS: usize = 4_096;

/// The `.tf` and tfvars files of one directory.
pub type DirFiles = (Vec<FileId>, Vec<FileId>);

/// The `.tf` and tfvars files of each directory of the scan, put in the order of their paths
/// (that of a map sorted by path) where order matters. A sorted map compared paths, component
/// by component, a dozen times for every file of a large scan; here each file costs one hash
/// of its directory, and the directories, added nearly in path order (discovery walks in path
/// order), are sorted once.
#[derive(Default)]
pub struct Dirs {
    entries: Vec<(PathBuf, DirFiles)>,
    index: HashMap<PathBuf, usize>,
    sorted: bool,
    /// The directory [`Dirs::add`] added to last.
    last: Option<usize>,
}

impl Dirs {
    /// A `.tf` file (`tfvars` false) or tfvars file of `dir`, after those added before.
    pub fn add(&mut self, dir: &Path, id: FileId, tfvars: bool) {
        // The files of a directory mostly come one after the other: the same bytes are the
        // same directory, with no need to hash them.
        let index = match self.last {
            Some(last) if self.entries[last].0.as_os_str() == dir.as_os_str() => last,
            _ => match self.index.get(dir) {
                Some(index) => *index,
                None => self.insert(dir.to_path_buf(), (Vec::new(), Vec::new())),
            },
        };
        self.last = Some(index);
        let (files, vars) = &mut self.entries[index].1;
        if tfvars {
            vars.push(id);
        } else {
            files.push(id);
        }
    }

    /// A directory not added yet, with its files.
    fn insert(&mut self, dir: PathBuf, files: DirFiles) -> usize {
        let index = self.entries.len();
        self.index.insert(dir.clone(), index);
        self.entries.push((dir, files));
        self.sorted = false;
        index
    }

    pub fn get(&self, dir: &Path) -> Option<&DirFiles> {
        self.index.get(dir).map(|index| &self.entries[*index].1)
    }

    /// Every directory's files.
    pub fn files(&self) -> impl Iterator<Item = &DirFiles> {
        self.entries.iter().map(|(_, files)| files)
    }

    /// Puts the directories in the order of their paths.
    fn sort(&mut self) {
        if self.sorted {
            return;
        }
        if !self.entries.is_sorted_by(|a, b| a.0 <= b.0) {
            self.entries.sort_by(|a, b| a.0.cmp(&b.0));
            self.last = None;
            for (index, (dir, _)) in self.entries.iter().enumerate() {
                if let Some(at) = self.index.get_mut(dir.as_path()) {
                    *at = index;
                }
            }
        }
        self.sorted = true;
    }

    /// Every directory with its files, in the order of their paths.
    pub fn into_sorted(mut self) -> Vec<(PathBuf, DirFiles)> {
        self.sort();
        self.entries
    }
}

/// The Terraform side of a scan, split into roots and called modules.
pub struct Roots {
    pub roots: HashSet<PathBuf>,
    /// The `.tf` files of every directory a local module call names.
    pub module_dirs: ModuleDirs,
    /// The files read because a module call named their directory outside the scanned
    /// paths.
    pub module_files: Vec<FileId>,
    /// Directory -> the module directories it calls.
    pub calls: HashMap<PathBuf, Vec<PathBuf>>,
}

/// Splits the Terraform directories into roots and called modules, reading the `.tf`
/// files of called directories outside the scanned paths into `sources`, `dirs` and
/// `parsed` (which holds every other Terraform file of the scan already).
pub fn roots(
    dirs: &mut Dirs,
    sources: &mut Sources,
    parsed: &mut Files,
    errors: &mut Vec<Problem>,
    listed: &discover::Listed,
) -> Roots {
    let mut calls: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut extra_files = Vec::new();
    // Popped from the end: the directory last in path order is looked at first.
    dirs.sort();
    // What each scanned directory calls is looked for in parallel (the module calls of its
    // files, a root's `modules.json`); a directory added below, on this thread.
    let mut queue: Vec<(PathBuf, Option<Calls>)> = {
        let (parsed, sources): (&Files, &Sources) = (parsed, sources);
        dirs.entries
            .par_iter()
            .map(|(dir, (files, _))| {
                let calls = calls_of(dir, files, parsed, sources, listed);
                (dir.clone(), Some(calls))
            })
            .collect()
    };
    let mut seen: HashSet<PathBuf> = queue.iter().map(|(dir, _)| dir.clone()).collect();
    while let Some((dir, calls_found)) = queue.pop() {
        let (mut called, manifest) = calls_found.unwrap_or_else(|| {
            let files = dirs.get(&dir).map_or(&[][..], |(files, _)| files);
            calls_of(&dir, files, parsed, sources, listed)
        });
        if let Some((manifest, reason)) = manifest.unreadable {
            errors.push(Problem::parse_error(
                crate::source::display_path(&manifest),
                None,
                format!(
                    "cannot read the modules `terraform init` installed, so they are not \
                     evaluated: {reason}"
                ),
            ));
        }
        called.extend(manifest.modules.into_iter().map(|(_, installed)| installed));
        for target in &called {
            if seen.len() < MAX_MODULE_DIRS && seen.insert(target.clone()) {
                // A module outside the scanned paths: read its `.tf` files.
                let mut read = Vec::new();
                if let Ok(entries) = std::fs::read_dir(target) {
                    let mut paths: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| !p.is_dir())
                        .filter(|p| discover::kind_of(p) == Some(FileKind::Terraform))
                        .collect();
                    paths.sort();
                    for path in paths {
                        match crate::input::read_text(&path) {
                            Ok(text) => {
                                let id = sources.add(path, text);
                                parsed.add(sources, id, Role::Configuration);
                                read.push(id);
                                extra_files.push(id);
                            }
                            Err(e) => errors.push(Problem::parse_error(
                                crate::source::display_path(&path),
                                None,
                                format!("cannot read this module file: {e}"),
                            )),
                        }
                    }
                }
                dirs.insert(target.clone(), (read, Vec::new()));
                queue.push((target.clone(), None));
            }
        }
        calls.insert(dir, called);
    }
    // Directories with `.tf` files in the scan (not only read because a module call named
    // them outside the scanned paths), in path order.
    dirs.sort();
    let dirs: &Dirs = dirs;
    let extra: HashSet<FileId> = extra_files.iter().copied().collect();
    let scanned: Vec<&Path> = dirs
        .entries
        .iter()
        .filter(|(_, (files, _))| !files.is_empty() && !files.iter().all(|f| extra.contains(f)))
        .map(|(dir, _)| dir.as_path())
        .collect();
    let called: HashSet<&Path> = calls.values().flatten().map(PathBuf::as_path).collect();
    let mut roots: Vec<&Path> = scanned
        .iter()
        .copied()
        .filter(|dir| !called.contains(dir))
        .collect();
    // Directories that only call each other (a cycle) would never be evaluated: the first
    // one not reached from a root becomes a root.
    let mut reached: HashSet<&Path> = HashSet::new();
    for root in &roots {
        visit(root, &calls, &mut reached);
    }
    for dir in &scanned {
        if !reached.contains(dir) {
            visit(dir, &calls, &mut reached);
            roots.push(dir);
        }
    }
    let roots: HashSet<PathBuf> = roots.into_iter().map(Path::to_path_buf).collect();
    // Every call of a module shares its trees: its files are parsed here, once, in parallel.
    let module_files: Vec<FileId> = called
        .iter()
        .filter_map(|d| dirs.get(d))
        .flat_map(|(files, _)| files.iter().copied())
        .collect();
    parsed.parse_now(sources, &module_files);
    let module_dirs = called
        .iter()
        .map(|d| {
            let files = dirs
                .get(d)
                .map(|(files, _)| {
                    files
                        .iter()
                        .map(|id| (*id, parsed.tree(sources, *id).and_then(|t| t.clone().ok())))
                        .collect()
                })
                .unwrap_or_default();
            (d.to_path_buf(), files)
        })
        .collect();
    Roots {
        roots,
        module_dirs,
        module_files: extra_files,
        calls,
    }
}

/// The local module directories a directory's files call, in the order of their calls,
/// and what `terraform init` installed for it (registry and git modules).
type Calls = (Vec<PathBuf>, super::installed::Manifest);

fn calls_of(
    dir: &Path,
    files: &[FileId],
    parsed: &Files,
    sources: &Sources,
    listed: &discover::Listed,
) -> Calls {
    let mut called = Vec::new();
    for id in files {
        for source in parsed.local_module_sources(sources, *id) {
            let target = discover::normalize(&dir.join(&source));
            if target != dir {
                called.push(target);
            }
        }
    }
    (called, super::installed::manifest(dir, listed))
}

/// Adds to `reached` every directory reached from `start` through the calls.
fn visit<'a>(
    start: &'a Path,
    calls: &'a HashMap<PathBuf, Vec<PathBuf>>,
    reached: &mut HashSet<&'a Path>,
) {
    let mut stack = vec![start];
    while let Some(dir) = stack.pop() {
        if reached.insert(dir) {
            stack.extend(calls.get(dir).into_iter().flatten().map(PathBuf::as_path));
        }
    }
}

/// Every module file a root may reach through local calls.
pub fn reachable_module_files(
    root: &Path,
    calls: &HashMap<PathBuf, Vec<PathBuf>>,
    module_dirs: &ModuleDirs,
) -> Vec<FileId> {
    let mut out = Vec::new();
    let mut seen: HashSet<&Path> = HashSet::new();
    let mut stack: Vec<&Path> = vec![root];
    while let Some(dir) = stack.pop() {
        if !seen.insert(dir) {
            continue;
        }
        if dir != root {
            out.extend(module_dirs.get(dir).into_iter().flatten().map(|f| f.0));
        }
        stack.extend(calls.get(dir).into_iter().flatten().map(PathBuf::as_path));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The directories come out in the order a map sorted by path gives, whatever order they
    /// were added in, each with its files in the order added (also when some were added
    /// after a sort); including names whose bytes sort before the separator (`-`, `.`,
    /// ` `), where byte order and path order differ.
    #[test]
    fn directories_in_path_order() {
        let added = [
            "/scan/a/b",
            "/scan/a",
            "/scan/a-c",
            "/scan/a.d/e",
            "/scan/a b",
            "/scan/a/b",
            "/scan",
            "/scan/a/b/c",
            "/scan/a",
            "/scan/A",
            "",
            "/scan/a-c/x",
        ];
        let mut dirs = Dirs::default();
        let mut map: BTreeMap<PathBuf, DirFiles> = BTreeMap::new();
        for (id, dir) in added.iter().enumerate() {
            // Sorted halfway, as `roots` does before it adds the directories modules name:
            // what is added after goes to the directories sorted before.
            if id == added.len() / 2 {
                dirs.sort();
            }
            let id = id as FileId;
            let tfvars = id.is_multiple_of(3);
            dirs.add(Path::new(dir), id, tfvars);
            let entry = map.entry(PathBuf::from(dir)).or_default();
            if tfvars {
                entry.1.push(id);
            } else {
                entry.0.push(id);
            }
        }
        assert_eq!(
            dirs.get(Path::new("/scan/a/b")),
            map.get(Path::new("/scan/a/b"))
        );
        assert_eq!(dirs.into_sorted(), map.into_iter().collect::<Vec<_>>());
    }
}
