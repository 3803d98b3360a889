//! Paths relative to the configuration root: `exclude` and the globs zones are matched with.

use super::Config;
use globset::{GlobBuilder, GlobSet};
use std::path::{Component, Path, PathBuf};

impl Config {
    /// `path` is absolute or relative to the working directory. A file is excluded when a
    /// pattern matches it or one of its directories below `root`, so `vendor` and
    /// `vendor/**` both exclude everything in `vendor/`.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.relative_to_root(path)
            .is_some_and(|relative| matches_path_or_ancestor(&self.exclude_set, &relative))
    }

    /// `path` relative to `root` with `/` separators; `None` when it lies outside.
    pub fn relative_to_root(&self, path: &Path) -> Option<String> {
        let path = absolute(path);
        let relative = match path.strip_prefix(&self.root) {
            Ok(relative) => relative.to_path_buf(),
            // A symlinked checkout (macOS /tmp, a mounted workspace) reaches the same file
            // through different prefixes; compare the real paths before giving up.
            Err(_) => {
                let real_path = path.canonicalize().ok()?;
                let real_root = self.root.canonicalize().ok()?;
                real_path.strip_prefix(real_root).ok()?.to_path_buf()
            }
        };
        let parts: Vec<_> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

pub(super) fn path_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern.strip_prefix("./").unwrap_or(pattern))
        // `*` stays within one directory and `**` crosses them, as in .gitignore; set
        // explicitly so the file means the same on Windows.
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

fn matches_path_or_ancestor(set: &GlobSet, relative: &str) -> bool {
    if relative.is_empty() {
        return false;
    }
    set.is_match(relative)
        || relative
            .match_indices('/')
            .any(|(end, _)| set.is_match(&relative[..end]))
}

/// Absolute and lexically normalised, without touching the filesystem, so that paths that
/// do not exist yet (an editor buffer) still compare.
pub(super) fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => path.to_path_buf(),
        }
    };
    let mut normal = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) {
                    normal.pop();
                }
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}
