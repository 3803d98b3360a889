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
        match plainly_below(&self.root, path) {
            Some(relative) => Some(relative.to_string()),
            None => relative_by_components(&self.root, path),
        }
    }
}

/// [`Config::relative_to_root`] for any path: normalised, and through the real paths when
/// the prefixes differ.
fn relative_by_components(root: &Path, path: &Path) -> Option<String> {
    let path = absolute(path);
    let relative = match path.strip_prefix(root) {
        Ok(relative) => relative.to_path_buf(),
        // A symlinked checkout (macOS /tmp, a mounted workspace) reaches the same file
        // through different prefixes; compare the real paths before giving up.
        Err(_) => {
            let real_path = path.canonicalize().ok()?;
            let real_root = root.canonicalize().ok()?;
            real_path.strip_prefix(real_root).ok()?.to_path_buf()
        }
    };
    let parts: Vec<_> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// `path` below `root` as text, when both are absolute UTF-8 paths with no empty, `.` or `..`
/// component: then the text after `root/` is what normalising and joining the components
/// would give. Asked for every file of a scan (zones, excludes); `None` sends the rest the
/// long way.
fn plainly_below<'p>(root: &Path, path: &'p Path) -> Option<&'p str> {
    let plain = |text: &str| {
        text.split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
    };
    let root = root.to_str()?.strip_prefix('/')?;
    let path = path.to_str()?.strip_prefix('/')?;
    let rest = match path.strip_prefix(root)? {
        "" => "",
        rest if root.is_empty() => rest,
        rest => rest.strip_prefix('/')?,
    };
    ((root.is_empty() || plain(root)) && (rest.is_empty() || plain(rest))).then_some(rest)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_below_the_root_read_as_the_components_do() {
        let cases = [
            ("/work/repo", "/work/repo/lz1/main.tf", Some("lz1/main.tf")),
            ("/work/repo", "/work/repo", Some("")),
            ("/", "/etc/x.tf", Some("etc/x.tf")),
            ("/work/repo", "/work/repox/main.tf", None),
            ("/work/repo", "/work/repo//lz1/main.tf", None),
            ("/work/repo", "/work/repo/./lz1/main.tf", None),
            ("/work/repo", "/work/repo/lz1/../main.tf", None),
            ("/work/repo", "/work/repo/lz1/", None),
            ("/work/repo", "lz1/main.tf", None),
            ("/work/./repo", "/work/./repo/a", None),
        ];
        for (root, path, expected) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            let plain = plainly_below(root, path);
            assert_eq!(plain, expected, "{root:?} {path:?}");
            if let Some(plain) = plain {
                assert_eq!(Some(plain.to_string()), relative_by_components(root, path));
            }
        }
    }
}
