//! `check --fix` and `--diff`: plan the fixes, try them in memory, and keep only the files
//! that still parse once fixed.

use super::{apply, plan, Applicability};
use crate::config::Config;
use crate::engine::{self, Buffers, Scan};
use std::collections::BTreeSet;
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

/// The fixed text of every file a fix touches, verified by linting the fixed texts laid
/// over the files on disk: a file that gains a parse error keeps its original text.
pub fn fix_files(
    paths: &[PathBuf],
    config: &Config,
    scan: &Scan,
    at_least: Applicability,
) -> Planned {
    let mut changes = Vec::new();
    for (file, edits) in plan(&scan.sources, &scan.findings, at_least) {
        let source = scan.sources.get(file);
        if source.path.as_os_str() == "-" {
            continue;
        }
        if let Ok(after) = apply(&source.text, &edits) {
            if after != source.text {
                changes.push(FileChange {
                    path: crate::discover::absolute(&source.path),
                    display: source.display.clone(),
                    before: source.text.clone(),
                    after,
                });
            }
        }
    }
    if changes.is_empty() {
        return Planned {
            changes,
            refused: Vec::new(),
        };
    }
    let buffers: Buffers = changes
        .iter()
        .map(|c| (c.path.clone(), c.after.clone()))
        .collect();
    let relinted = engine::lint_with_buffers(paths, config, &buffers);
    let broken_before: BTreeSet<&str> = scan.errors.iter().map(|e| e.path.as_str()).collect();
    let broken_now: BTreeSet<&str> = relinted
        .errors
        .iter()
        .map(|e| e.path.as_str())
        .filter(|p| !broken_before.contains(p))
        .collect();
    let (kept, dropped): (Vec<FileChange>, Vec<FileChange>) = changes
        .into_iter()
        .partition(|c| !broken_now.contains(c.display.as_str()));
    Planned {
        changes: kept,
        refused: dropped.into_iter().map(|c| c.display).collect(),
    }
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
