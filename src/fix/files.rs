//! `check --fix` and `--diff`: plan the fixes, try them in memory, and keep only the files
//! that still parse once fixed.

use super::{apply, plan, Applicability};
use crate::config::Config;
use crate::engine::{self, Buffers, Scan};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub before: String,
    pub after: String,
}

pub struct Planned {
    pub changes: Vec<FileChange>,
    /// Files whose fixes were dropped because the fixed text no longer parsed.
    pub refused: Vec<String>,
}

/// Fixes that touch the same spot are applied one per pass (the second may need the block
/// the first creates); a pass re-lints the fixed texts, so ten bound the work.
const MAX_PASSES: usize = 10;

/// The fixed text of every file a fix touches. Each pass lints the texts fixed so far laid
/// over the files on disk, applies the fixes that do not touch each other, and keeps a
/// file's new text only if linting it adds no parse error.
pub fn fix_files(
    paths: &[PathBuf],
    config: &Config,
    options: &engine::Options,
    scan: &Scan,
    at_least: Applicability,
) -> Planned {
    let mut originals: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    let mut fixed = Buffers::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut current: Option<Scan> = None;
    for _ in 0..MAX_PASSES {
        let scan = current.as_ref().unwrap_or(scan);
        let mut candidate = fixed.clone();
        let mut touched = Vec::new();
        for (file, edits) in plan(&scan.sources, &scan.findings, at_least) {
            let source = scan.sources.get(file);
            if source.path.as_os_str() == "-" || refused.contains(&source.display) {
                continue;
            }
            let Ok(after) = apply(&source.text, &edits) else {
                continue;
            };
            if after == source.text {
                continue;
            }
            let path = crate::discover::absolute(&source.path);
            originals
                .entry(path.clone())
                .or_insert_with(|| (source.display.clone(), source.text.clone()));
            candidate.insert(path.clone(), after);
            touched.push((path, source.display.clone()));
        }
        if touched.is_empty() {
            break;
        }
        let relinted = engine::lint_full(paths, config, options, &candidate);
        let broken = newly_broken(scan, &relinted, &touched);
        if broken.is_empty() {
            fixed = candidate;
            current = Some(relinted);
            continue;
        }
        // Keep the other files' fixes; the broken ones stay as they were.
        for (path, display) in broken {
            refused.insert(display.clone());
            match fixed.get(path) {
                Some(previous) => candidate.insert(path.clone(), previous.clone()),
                None => candidate.remove(path),
            };
        }
        current = Some(engine::lint_full(paths, config, options, &candidate));
        fixed = candidate;
    }
    let changes = fixed
        .into_iter()
        .filter_map(|(path, after)| {
            let (display, before) = originals.remove(&path)?;
            (before != after).then_some(FileChange {
                path,
                display,
                before,
                after,
            })
        })
        .collect::<Vec<_>>();
    let mut changes = changes;
    changes.sort_by(|a, b| a.display.cmp(&b.display));
    Planned {
        changes,
        refused: refused.into_iter().collect(),
    }
}

/// The touched files (absolute path, display path) that parse before but not after.
fn newly_broken<'a>(
    before: &Scan,
    after: &Scan,
    touched: &'a [(PathBuf, String)],
) -> Vec<&'a (PathBuf, String)> {
    let broken_before: BTreeSet<&str> = before.errors.iter().map(|e| e.path.as_str()).collect();
    touched
        .iter()
        .filter(|(_, display)| {
            !broken_before.contains(display.as_str())
                && after.errors.iter().any(|e| &e.path == display)
        })
        .collect()
}

/// A unified diff per changed file (`--diff`), paths as reported.
pub fn unified_diff(changes: &[FileChange]) -> String {
    let mut out = String::new();
    for change in changes {
        let diff = similar::TextDiff::from_lines(&change.before, &change.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{}", change.display),
                    &format!("b/{}", change.display),
                )
                .to_string(),
        );
    }
    out
}

/// Write the fixed files; the first failure stops and is reported with its path.
pub fn write(changes: &[FileChange]) -> Result<(), String> {
    for change in changes {
        std::fs::write(&change.path, &change.after)
            .map_err(|e| format!("cannot write {}: {e}", display(&change.path)))?;
    }
    Ok(())
}

fn display(path: &Path) -> String {
    crate::source::display_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_stops_parsing_is_newly_broken_and_one_broken_before_is_not() {
        let dir = std::env::temp_dir().join(format!("aksguard-broken-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("main.tf");
        let bad = dir.join("old.tf");
        std::fs::write(&good, "locals {\n  a = 1\n}\n").unwrap();
        std::fs::write(&bad, "locals {\n").unwrap();
        let config = Config::default_for(&dir);
        let paths = [dir.clone()];
        let before = engine::lint(&paths, &config);
        let mut buffers = Buffers::new();
        buffers.insert(good.clone(), "locals {\n  a = \n}\n".to_string());
        buffers.insert(bad.clone(), "locals {\n  b = \n".to_string());
        let after = engine::lint_with_buffers(&paths, &config, &buffers);
        let display = |p: &Path| crate::source::display_path(p);
        let touched = vec![(good.clone(), display(&good)), (bad.clone(), display(&bad))];
        let broken = newly_broken(&before, &after, &touched);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(broken, vec![&touched[0]]);
    }
}
