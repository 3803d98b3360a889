//! `check --fix` and `--diff`: plan the fixes, try them in memory, and keep only the files
//! that still parse once fixed; write them only beneath the scanned paths, never through a
//! symbolic link, never over a change made since the scan read them, and by renaming a
//! complete temporary file over the old one.

use crate::engine::{self, Buffers, Request, Scan};
use crate::fix::{apply, plan, Applicability};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub before: String,
    pub after: String,
}

/// A file a fix would change that is left as it is, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotWritten {
    pub display: String,
    pub reason: String,
}

pub struct Planned {
    pub changes: Vec<FileChange>,
    /// Files with fixes that are not changed: outside the scanned paths, a symbolic link,
    /// or the fixed text would no longer parse.
    pub not_written: Vec<NotWritten>,
}

const WOULD_NOT_PARSE: &str = "the fixed file would not parse";

/// Fixes that touch the same spot are applied one per pass (the second may need the block
/// the first creates); a pass re-lints the fixed texts, so ten bound the work.
const MAX_PASSES: usize = 10;

/// The fixed text of every file a fix touches. Each pass lints the texts fixed so far laid
/// over the files on disk, applies the fixes that do not touch each other, and keeps a
/// file's new text only if linting it adds no parse error.
pub fn fix_files(request: &Request, scan: &Scan, at_least: Applicability) -> Planned {
    let paths = request.paths;
    let mut originals: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    let mut fixed = Buffers::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    // Decided once per path (the file ids change from pass to pass); a refused file's fixes
    // are dropped whole, so a fix that also touches a writable file is not half applied.
    let verdicts: RefCell<BTreeMap<PathBuf, Option<NotWritten>>> = RefCell::default();
    let mut current: Option<Scan> = None;
    for _ in 0..MAX_PASSES {
        let scan = current.as_ref().unwrap_or(scan);
        let mut candidate = fixed.clone();
        let mut touched = Vec::new();
        let writable = |file| {
            let source = scan.sources.get(file);
            if source.path.as_os_str() == "-" {
                return false;
            }
            let path = crate::discover::absolute(&source.path);
            let mut verdicts = verdicts.borrow_mut();
            let verdict = verdicts.entry(path).or_insert_with_key(|path| {
                why_not_writable(path, paths).map(|reason| NotWritten {
                    display: source.display.clone(),
                    reason,
                })
            });
            verdict.is_none()
        };
        for (file, edits) in plan(&scan.sources, &scan.findings, at_least, writable) {
            let source = scan.sources.get(file);
            if refused.contains(&source.display) {
                continue;
            }
            let Ok(after) = apply(&source.text, &edits) else {
                continue;
            };
            if *after == *source.text {
                continue;
            }
            let path = crate::discover::absolute(&source.path);
            originals
                .entry(path.clone())
                .or_insert_with(|| (source.display.clone(), source.text.to_string()));
            candidate.insert(path.clone(), after);
            touched.push((path, source.display.clone()));
        }
        if touched.is_empty() {
            break;
        }
        let relinted = engine::lint(&request.buffers(&candidate));
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
        current = Some(engine::lint(&request.buffers(&candidate)));
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
    let mut not_written: Vec<NotWritten> = verdicts.into_inner().into_values().flatten().collect();
    not_written.extend(refused.into_iter().map(|display| NotWritten {
        display,
        reason: WOULD_NOT_PARSE.to_string(),
    }));
    not_written.sort();
    Planned {
        changes,
        not_written,
    }
}

/// Why `path` (absolute) must not be written by `--fix`, or None. A fix may only change
/// what the user asked to scan: a file named on the command line, or a file beneath a
/// directory named there. A module called from outside (`source = "../shared"`, a Bicep
/// module path) or a file reached through a symbolic link is left alone: its other
/// callers, or the link's target, are not the user's to change from here.
fn why_not_writable(path: &Path, roots: &[PathBuf]) -> Option<String> {
    let beneath = roots
        .iter()
        .filter(|root| root.as_os_str() != "-")
        .map(|root| crate::discover::absolute(root))
        .find(|root| path == root || (root.is_dir() && path.starts_with(root)));
    let Some(root) = beneath else {
        return Some(
            "outside the scanned paths (scan a directory that holds it to fix it)".to_string(),
        );
    };
    // The root itself may be a link the user named (a directory); nothing below it may be,
    // and a named file may not be one either.
    let below = path.strip_prefix(&root).unwrap_or(Path::new(""));
    let mut at = root.clone();
    let mut checked: Vec<PathBuf> = below
        .components()
        .map(|c| {
            at.push(c);
            at.clone()
        })
        .collect();
    if below.as_os_str().is_empty() {
        checked.push(root.clone());
    }
    for step in &checked {
        match std::fs::symlink_metadata(step) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Some(if step == path {
                    "a symbolic link (fix the file it points to by naming that file)".to_string()
                } else {
                    format!(
                        "reached through the symbolic link {} (fix it where it lives)",
                        display(step)
                    )
                });
            }
            Ok(meta) if step == path && !meta.is_file() => {
                return Some("not a regular file".to_string());
            }
            Ok(_) => {}
            Err(e) => return Some(format!("cannot be checked: {e}")),
        }
    }
    None
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

/// What [`write`] did.
#[derive(Debug, Default)]
pub struct Written {
    pub written: usize,
    /// Files left as they are on purpose: changed since the scan read them, or now a link.
    pub not_written: Vec<NotWritten>,
    /// Files that could not be written (the message names the path).
    pub errors: Vec<String>,
}

/// Write the fixed files, each through a temporary file in its directory renamed over it
/// (an interrupted run leaves the old file or the new one, never half of it). A file that
/// changed since the scan read it (an editor saved it meanwhile) is not overwritten.
pub fn write(changes: &[FileChange]) -> Written {
    let mut outcome = Written::default();
    for change in changes {
        match write_one(change) {
            Ok(None) => outcome.written += 1,
            Ok(Some(reason)) => outcome.not_written.push(NotWritten {
                display: change.display.clone(),
                reason,
            }),
            Err(e) => outcome
                .errors
                .push(format!("cannot write {}: {e}", display(&change.path))),
        }
    }
    outcome
}

/// Ok(Some(reason)): deliberately not written.
fn write_one(change: &FileChange) -> std::io::Result<Option<String>> {
    let path = &change.path;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(Some("a symbolic link".to_string()));
    }
    if !meta.is_file() {
        return Ok(Some("not a regular file".to_string()));
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(Some("not a file path".to_string()));
    };
    // The scan may have read the text without its byte order mark: keep the mark.
    let bom = !change.before.starts_with('\u{feff}') && on_disk_has_bom(path)?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".aksguard-{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let result = (|| {
        // create_new: never follows a link planted at the temporary name.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.set_permissions(meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner when running as another user can (root in CI); harmless when not.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
        if bom {
            file.write_all("\u{feff}".as_bytes())?;
        }
        file.write_all(change.after.as_bytes())?;
        file.sync_all()?;
        drop(file);
        // Compared last, just before the rename, to leave the smallest window for an edit.
        if !unchanged(path, &change.before, bom)? {
            return Ok(Some(
                "changed since it was read; run aksguard again".to_string(),
            ));
        }
        std::fs::rename(&temp, path)?;
        Ok(None)
    })();
    if !matches!(result, Ok(None)) {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn on_disk_has_bom(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 3];
    let mut file = std::fs::File::open(path)?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(head[..read] == *"\u{feff}".as_bytes())
}

/// Is the file on disk still the text the scan read (plus a byte order mark)? Read no more
/// than that text's length and one byte.
fn unchanged(path: &Path, before: &str, bom: bool) -> std::io::Result<bool> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Ok(false);
    }
    let mut expected = Vec::with_capacity(before.len() + 3);
    if bom {
        expected.extend_from_slice("\u{feff}".as_bytes());
    }
    expected.extend_from_slice(before.as_bytes());
    if meta.len() != expected.len() as u64 {
        return Ok(false);
    }
    let mut now = Vec::with_capacity(expected.len());
    std::fs::File::open(path)?
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut now)?;
    Ok(now == expected)
}

fn display(path: &Path) -> String {
    crate::source::display_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

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
        let before = engine::lint(&engine::Request::new(&paths, &config));
        let mut buffers = Buffers::new();
        buffers.insert(good.clone(), "locals {\n  a = \n}\n".to_string());
        buffers.insert(bad.clone(), "locals {\n  b = \n".to_string());
        let after = engine::lint(&engine::Request::new(&paths, &config).buffers(&buffers));
        let display = |p: &Path| crate::source::display_path(p);
        let touched = vec![(good.clone(), display(&good)), (bad.clone(), display(&bad))];
        let broken = newly_broken(&before, &after, &touched);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(broken, vec![&touched[0]]);
    }

    fn change(path: &Path, before: &str, after: &str) -> FileChange {
        FileChange {
            path: path.to_path_buf(),
            display: display(path),
            before: before.to_string(),
            after: after.to_string(),
        }
    }

    #[test]
    fn a_file_edited_since_it_was_read_is_not_overwritten() {
        let dir = std::env::temp_dir().join(format!("aksguard-edited-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("main.tf");
        std::fs::write(&path, "a = 1\n").unwrap();
        let planned = change(&path, "a = 1\n", "a = 2\n");
        // An editor saves the file after the scan read it.
        std::fs::write(&path, "a = 1\nb = 1\n").unwrap();
        let outcome = write(&[planned]);
        let after = std::fs::read_to_string(&path).unwrap();
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(after, "a = 1\nb = 1\n");
        assert_eq!(outcome.written, 0);
        assert!(outcome.errors.is_empty(), "{outcome:?}");
        assert_eq!(outcome.not_written.len(), 1);
        assert!(
            outcome.not_written[0]
                .reason
                .starts_with("changed since it was read"),
            "{outcome:?}"
        );
        assert_eq!(left.len(), 1, "the temporary file is removed");
    }

    #[cfg(unix)]
    #[test]
    fn a_fixed_file_replaces_the_old_one_whole_with_its_mode_and_byte_order_mark() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("aksguard-rename-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("main.tf");
        std::fs::write(&path, "\u{feff}a = 1\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let old_inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
        // The scan's text without the mark (a reader that strips it) or with it: both hold.
        let outcome = write(&[change(&path, "a = 1\n", "a = 2\n")]);
        let after = std::fs::read_to_string(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let entries = std::fs::read_dir(&dir).unwrap().count();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(outcome.written, 1, "{outcome:?}");
        assert_eq!(after, "\u{feff}a = 2\n");
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
        assert_ne!(
            std::os::unix::fs::MetadataExt::ino(&meta),
            old_inode,
            "renamed over, not rewritten in place"
        );
        assert_eq!(entries, 1, "no temporary file left");
    }
}
