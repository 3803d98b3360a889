//! Which Terraform directories of a scan are roots: a directory only called as a local
//! module is evaluated through its callers, not as a root of its own (DESIGN §4).

use super::files::{Files, Role};
use super::module::ModuleDirs;
use crate::discover::{self, FileKind};
use crate::finding::Problem;
use crate::source::{FileId, Sources};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Module calls nested deeper than this are not followed when looking for module files.
const MAX_MODULE_DIRS: usize = 4_096;

/// The `.tf` and tfvars files of each directory of the scan.
pub type Dirs = BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)>;

/// The Terraform side of a scan, split into roots and called modules.
pub struct Roots {
    pub roots: HashSet<PathBuf>,
    /// The `.tf` files of every directory a local module call names.
    pub module_dirs: ModuleDirs,
    /// The files read because a module call named their directory outside the scanned
    /// paths.
    pub module_files: Vec<FileId>,
    /// Directory -> the module directories it calls.
    pub calls: BTreeMap<PathBuf, Vec<PathBuf>>,
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
    let mut calls: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut extra_files = Vec::new();
    let mut queue: Vec<PathBuf> = dirs.keys().cloned().collect();
    let mut seen: HashSet<PathBuf> = queue.iter().cloned().collect();
    // Every scanned directory may hold a root's `modules.json`: looked for in parallel.
    let mut manifests: HashMap<PathBuf, super::installed::Manifest> = queue
        .par_iter()
        .map(|dir| (dir.clone(), super::installed::manifest(dir, listed)))
        .collect();
    while let Some(dir) = queue.pop() {
        let files = match dirs.get(&dir) {
            Some((files, _)) => files.clone(),
            None => Vec::new(),
        };
        let mut called = Vec::new();
        for id in files {
            for source in parsed.local_module_sources(sources, id) {
                let target = discover::normalize(&dir.join(&source));
                if target != dir {
                    called.push(target);
                }
            }
        }
        // What `terraform init` installed for a root (registry and git modules).
        let manifest = manifests
            .remove(&dir)
            .unwrap_or_else(|| super::installed::manifest(&dir, listed));
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
                queue.push(target.clone());
            }
        }
        calls.insert(dir, called);
    }
    let called: HashSet<PathBuf> = calls.values().flatten().cloned().collect();
    let has_files = |d: &PathBuf| dirs.get(d).is_some_and(|(f, _)| !f.is_empty());
    let mut roots: HashSet<PathBuf> = dirs
        .keys()
        .filter(|d| {
            !called.contains(*d) && has_files(d) && !extra_files_only(d, dirs, &extra_files)
        })
        .cloned()
        .collect();
    // Directories that only call each other (a cycle) would never be evaluated: the first
    // one not reached from a root becomes a root.
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let visit = |start: &PathBuf, reached: &mut HashSet<PathBuf>| {
        let mut stack = vec![start.clone()];
        while let Some(d) = stack.pop() {
            if reached.insert(d.clone()) {
                stack.extend(calls.get(&d).into_iter().flatten().cloned());
            }
        }
    };
    for root in &roots {
        visit(root, &mut reached);
    }
    let scanned: Vec<PathBuf> = dirs
        .keys()
        .filter(|d| has_files(d) && !extra_files_only(d, dirs, &extra_files))
        .cloned()
        .collect();
    for dir in scanned {
        if !reached.contains(&dir) {
            visit(&dir, &mut reached);
            roots.insert(dir);
        }
    }
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
            (d.clone(), files)
        })
        .collect();
    Roots {
        roots,
        module_dirs,
        module_files: extra_files,
        calls,
    }
}

/// A directory read only because a module call named it (outside the scanned paths).
fn extra_files_only(dir: &PathBuf, dirs: &Dirs, extra: &[FileId]) -> bool {
    dirs.get(dir)
        .is_some_and(|(files, _)| files.iter().all(|f| extra.contains(f)))
}

/// Every module file a root may reach through local calls.
pub fn reachable_module_files(
    root: &Path,
    calls: &BTreeMap<PathBuf, Vec<PathBuf>>,
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
