//! Which `.bicep` files of a scan are roots (those no other scanned file calls as a module;
//! once per `.bicepparam` file that is `using` them), which files each root reaches through
//! its modules, and the syntax errors (reported here, once per file).

use crate::discover::FileKind;
use crate::finding::Problem;
use crate::source::{FileId, Sources};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A root `.bicep` file, once per `.bicepparam` file that is `using` it (or once alone).
#[derive(Clone, Copy, Debug)]
pub struct Unit {
    pub root: FileId,
    pub parameters: Option<FileId>,
}

/// The Bicep side of a scan.
pub struct Units {
    pub units: Vec<Unit>,
    /// Per unit, the module files it reaches.
    pub reach: Vec<Vec<FileId>>,
    pub by_path: HashMap<PathBuf, FileId>,
    /// Every Bicep file that parses, with its tree when the scan kept it (see
    /// [`super::MAX_KEPT_TREE_TOKENS`]).
    pub trees: HashMap<FileId, Option<tree_sitter::Tree>>,
    pub scanned: Vec<FileId>,
    /// Files with syntax errors: not evaluated.
    pub broken: HashSet<FileId>,
    /// ARM templates that `module` statements deploy: evaluated through their callers only.
    pub called_templates: HashSet<FileId>,
    /// (calling Bicep file, registry reference) -> the restored template.
    pub registry: HashMap<(PathBuf, String), PathBuf>,
}

/// The `.bicep` files of a scan, by absolute path, for module calls.
pub struct Files<'s> {
    sources: &'s Sources,
    units: &'s Units,
}

impl Units {
    /// The files the units' module calls may name, for evaluation.
    pub fn files<'s>(&'s self, sources: &'s Sources) -> Files<'s> {
        Files {
            sources,
            units: self,
        }
    }
}

impl super::Files for Files<'_> {
    fn get(&self, path: &Path) -> Option<(FileId, &str)> {
        let id = *self.units.by_path.get(path)?;
        Some((id, &*self.sources.get(id).text))
    }
    fn tree(&self, file: FileId) -> Option<&tree_sitter::Tree> {
        self.units.trees.get(&file)?.as_ref()
    }
    fn source(&self, file: FileId) -> Option<&crate::source::SourceFile> {
        ((file as usize) < self.sources.len()).then(|| self.sources.get(file))
    }
    fn registry_module(&self, from: &Path, reference: &str) -> Option<PathBuf> {
        // `from` as the caller spelled it; the table knows the file by its path on disk.
        let from = match self.units.by_path.get(from) {
            Some(id) => self.sources.get(*id).path.clone(),
            None => from.to_path_buf(),
        };
        self.units
            .registry
            .get(&(from, reference.to_string()))
            .cloned()
    }
}

/// Outlines every `.bicep` and `.bicepparam` file of `kinds` (and the module and `using`
/// targets they name, read into `sources` and added to `kinds`) and forms the units.
pub fn units(
    sources: &mut Sources,
    kinds: &mut Vec<(FileId, FileKind)>,
    errors: &mut Vec<Problem>,
) -> Units {
    let mut outlines: HashMap<FileId, super::Outline> = HashMap::new();
    let mut by_path: HashMap<PathBuf, FileId> = HashMap::new();
    let mut params_files = Vec::new();
    let mut pending: Vec<FileId> = Vec::new();
    // ARM templates a `module` statement may deploy; called ones are found below.
    let mut json_by_path: HashMap<PathBuf, FileId> = HashMap::new();
    let mut registry = HashMap::new();
    for (id, kind) in kinds.iter() {
        match kind {
            FileKind::Json => {
                json_by_path.insert(sources.get(*id).path.clone(), *id);
            }
            FileKind::Bicep => {
                by_path.insert(sources.get(*id).path.clone(), *id);
                pending.push(*id);
            }
            FileKind::BicepParam => {
                params_files.push(*id);
                pending.push(*id);
            }
            _ => {}
        }
    }
    let mut kept_tree_tokens = 0;
    // Outline in rounds: files reached from outside the scanned paths are outlined too.
    while !pending.is_empty() {
        // Trees are kept for evaluation up to a total, chosen in file order before the
        // round is parsed (so the same files are kept whichever thread parses first); the
        // rest are dropped as soon as they are outlined and parsed again when evaluated.
        let tokens: Vec<usize> = pending
            .par_iter()
            .map(|id| super::syntax::tokens(&sources.get(*id).text))
            .collect();
        let keep: Vec<bool> = tokens
            .iter()
            .map(|tokens| {
                let fits = kept_tree_tokens + tokens <= super::MAX_KEPT_TREE_TOKENS;
                if fits {
                    kept_tree_tokens += tokens;
                }
                fits
            })
            .collect();
        let round: Vec<(FileId, super::Outline)> = pending
            .par_iter()
            .zip(&keep)
            .map(|(id, keep)| {
                let file = sources.get(*id);
                let mut outline = super::outline(*id, &file.path, &file.text);
                if !keep {
                    outline.tree = None;
                }
                (*id, outline)
            })
            .collect();
        pending.clear();
        for (id, outline) in round {
            // Modules and the file a `.bicepparam` file uses, also outside the scanned paths.
            for module in outline.modules.iter().chain(&outline.using) {
                // A parameters file is not a template (reported below for `using`).
                let lower = module.to_string_lossy().to_ascii_lowercase();
                if by_path.contains_key(module) || lower.ends_with(".bicepparam") {
                    continue;
                }
                // A module path is the scanned file's to choose: only Bicep files and ARM
                // templates are read, and only regular files (never `/etc/shadow`, a FIFO
                // or `/proc/self/environ`).
                let Some(target_kind) = module_target_kind(module) else {
                    errors.push(Problem::parse_error(
                        sources.get(id).display.clone(),
                        None,
                        format!(
                            "the module or `using` target {} is not a .bicep, .json or \
                             .bicepparam file: aksguard does not read it",
                            crate::source::display_path(module)
                        ),
                    ));
                    continue;
                };
                let actual = if module.exists() {
                    module.clone()
                } else {
                    match differently_cased(module) {
                        Some(actual) => actual,
                        None => continue,
                    }
                };
                let known = by_path.get(&actual).or_else(|| json_by_path.get(&actual));
                if let Some(id) = known.copied() {
                    by_path.insert(module.clone(), id);
                    continue;
                }
                let text = match crate::input::read_text(&actual) {
                    Ok(text) => text,
                    Err(e) => {
                        errors.push(Problem::parse_error(
                            sources.get(id).display.clone(),
                            None,
                            format!(
                                "cannot read the module or `using` target {}: {e}",
                                crate::source::display_path(&actual)
                            ),
                        ));
                        continue;
                    }
                };
                let added = sources.add(actual.clone(), text);
                by_path.insert(actual, added);
                by_path.insert(module.clone(), added);
                if target_kind == FileKind::Json {
                    // Read for its callers only: not a root, not outlined as Bicep.
                    continue;
                }
                kinds.push((added, target_kind));
                pending.push(added);
            }
            for (reference, cached) in &outline.registry {
                registry.insert(
                    (sources.get(id).path.clone(), reference.clone()),
                    cached.clone(),
                );
            }
            outlines.insert(id, outline);
        }
    }
    let mut trees = HashMap::new();
    for (id, outline) in outlines.iter_mut() {
        if outline.parsed {
            trees.insert(*id, outline.tree.take());
        }
    }
    let mut scanned = Vec::new();
    let mut broken = HashSet::new();
    let mut called = HashSet::new();
    for (id, outline) in &outlines {
        scanned.push(*id);
        if let Some(e) = &outline.error {
            errors.push(Problem::in_file(sources, e.loc, e.message.clone()));
            broken.insert(*id);
        }
        for module in &outline.modules {
            if let Some(target) = by_path.get(module) {
                if target != id {
                    called.insert(*target);
                }
            }
        }
    }
    let called_templates = called
        .iter()
        .copied()
        .filter(|id| !outlines.contains_key(id))
        .collect();
    let mut units = Vec::new();
    let mut used = HashSet::new();
    params_files.sort_unstable();
    let params_ids: HashSet<FileId> = params_files.iter().copied().collect();
    for params in params_files {
        let root = outlines[&params]
            .using
            .as_ref()
            .filter(|p| !super::is_json_module(&p.to_string_lossy()))
            .and_then(|p| by_path.get(p))
            .copied();
        let outline = &outlines[&params];
        if let (None, Some(using), Some(at)) = (root, &outline.using, outline.using_loc) {
            // A parameters file whose `using` names a parameters file (itself or another)
            // has no template to check; say so rather than check nothing.
            if using
                .to_string_lossy()
                .to_ascii_lowercase()
                .ends_with(".bicepparam")
            {
                let message = if by_path.get(using) == Some(&params)
                    || using == &sources.get(params).path
                {
                    "`using` names this parameters file itself, not a Bicep file: its parameters \
                     are not checked against any template"
                } else {
                    "`using` names a parameters file, not a Bicep file: these parameters are not \
                     checked against any template"
                };
                errors.push(Problem::in_file(sources, at, message.to_string()));
            }
        }
        if let Some(root) = root.filter(|r| !broken.contains(r) && !broken.contains(&params)) {
            used.insert(root);
            units.push(Unit {
                root,
                parameters: Some(params),
            });
        }
    }
    let mut roots: Vec<FileId> = by_path
        .values()
        .copied()
        .filter(|id| !called.contains(id) && !used.contains(id) && !broken.contains(id))
        .collect();
    roots.sort_unstable();
    // A file reached under a second spelling of its path is listed twice.
    roots.dedup();
    // Files that only call each other (a module cycle) are reached from no root: the first
    // of each cycle is evaluated as a root, where the recursion is reported.
    let reached_from = |starts: &[FileId]| -> HashSet<FileId> {
        let mut seen: HashSet<FileId> = starts.iter().copied().collect();
        let mut queue = starts.to_vec();
        while let Some(current) = queue.pop() {
            for module in outlines.get(&current).map_or(&[][..], |o| &o.modules) {
                if let Some(target) = by_path.get(module) {
                    if seen.insert(*target) {
                        queue.push(*target);
                    }
                }
            }
        }
        seen
    };
    let mut starts: Vec<FileId> = roots.clone();
    starts.extend(used.iter().copied());
    let mut reached = reached_from(&starts);
    let mut unreached: Vec<FileId> = called
        .iter()
        .copied()
        .filter(|id| outlines.contains_key(id) && !broken.contains(id))
        .filter(|id| !params_ids.contains(id))
        .collect();
    unreached.sort_unstable();
    for id in unreached {
        if !reached.contains(&id) {
            roots.push(id);
            reached.extend(reached_from(&[id]));
        }
    }
    units.extend(roots.into_iter().map(|root| Unit {
        root,
        parameters: None,
    }));
    let reach = units
        .iter()
        .map(|unit| {
            let mut seen = vec![unit.root];
            let mut next = 0;
            while next < seen.len() {
                let current = seen[next];
                next += 1;
                for module in outlines
                    .get(&current)
                    .map(|o| o.modules.as_slice())
                    .unwrap_or(&[])
                {
                    if let Some(target) = by_path.get(module) {
                        if !seen.contains(target) {
                            seen.push(*target);
                        }
                    }
                }
            }
            seen
        })
        .collect();
    Units {
        units,
        reach,
        by_path,
        trees,
        scanned,
        broken,
        called_templates,
        registry,
    }
}

/// What a Bicep module or `using` path may name: a Bicep file, a parameters file or an ARM
/// template (registry modules are cached as `main.json`); None for anything else.
fn module_target_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".bicep") {
        Some(FileKind::Bicep)
    } else if name.ends_with(".bicepparam") {
        Some(FileKind::BicepParam)
    } else if super::is_json_module(&name) {
        Some(FileKind::Json)
    } else {
        None
    }
}

/// The file a module path names when only the letter case differs: Bicep repositories are
/// often written on Windows or macOS, whose file systems ignore case, and their module
/// paths then work everywhere but on Linux. One directory listing per path component.
fn differently_cased(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        let candidate = out.join(component);
        if candidate.exists() {
            out = candidate;
            continue;
        }
        let wanted = component.as_os_str().to_str()?;
        let found = std::fs::read_dir(&out)
            .ok()?
            .filter_map(Result::ok)
            .find(|entry| {
                entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| name.eq_ignore_ascii_case(wanted))
            })?;
        out.push(found.file_name());
    }
    out.is_file().then_some(out)
}
