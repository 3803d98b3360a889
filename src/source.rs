//! Source files, byte locations and the line index used only at the output edges.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type FileId = u32;

/// Bytes between two character-count checkpoints of a file.
const CHAR_BLOCK: usize = 4096;

/// Characters before every `CHAR_BLOCK`-th byte of `bytes` (and before its end, when that
/// falls on a block boundary).
fn chars_before_blocks(bytes: &[u8]) -> Vec<u32> {
    let mut chars_before_block = Vec::with_capacity(bytes.len() / CHAR_BLOCK + 1);
    let mut chars = 0u32;
    for block in bytes.chunks(CHAR_BLOCK) {
        chars_before_block.push(chars);
        // A sum, not a filtered count: the compiler vectorises it (2.4 times faster).
        chars += block
            .iter()
            .map(|b| u32::from(!is_continuation(*b)))
            .sum::<u32>();
    }
    if bytes.len().is_multiple_of(CHAR_BLOCK) {
        chars_before_block.push(chars);
    }
    chars_before_block
}

/// A UTF-8 continuation byte: every other byte starts a character.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// A byte range in one source file. Lines and columns are computed only when reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Loc {
    pub fn new(file: FileId, start: usize, end: usize) -> Loc {
        Loc {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
}

pub struct SourceFile {
    pub id: FileId,
    pub path: PathBuf,
    /// The path as reported: relative to the working directory when beneath it.
    pub display: String,
    /// Shared with what parses it (a Terraform file's syntax tree keeps it): held once.
    pub text: Arc<str>,
    /// Read from outside the scanned paths (a module or `using` target a scanned file
    /// names): whoever wrote the scanned files chose it, so none of its text is ever shown,
    /// only its path and places in it.
    pub outside: bool,
    /// A Terraform plan: Terraform writes sensitive values into it in clear (marking them
    /// only), so none of its text is ever shown, only places in it.
    pub holds_secrets: bool,
    line_starts: Vec<u32>,
    /// Characters before every `CHAR_BLOCK`-th byte, so a column on a very long (minified)
    /// line is counted from the nearest block, not from the start of the line. Counted on
    /// the first such column: most files have no line that long.
    chars_before_block: std::sync::OnceLock<Vec<u32>>,
    /// Whether a build writes this file (Bicep-compiled JSON, rendered Helm): asked once
    /// per finding with a fix, decided once per file.
    generated: std::sync::OnceLock<bool>,
    /// What the fixes of this file parse (an ARM template's objects, a Bicep syntax tree),
    /// parsed by the first fix rendered in it and shared by the others. Its type belongs to
    /// the fix renderer, above this module, so it is held without naming it.
    fix_parse: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// The file's syntax tree (a JSON file's), parsed once for every stage that reads it:
    /// telling what the file is, evaluating it, fixing it. Its type belongs to the format's
    /// module, above this one, so it is held without naming it. Released by the stage that
    /// reads it last ([`SourceFile::release_syntax`]), so the trees of a scan are not all
    /// alive beside what they evaluated to.
    syntax: std::sync::Mutex<Option<Arc<dyn std::any::Any + Send + Sync>>>,
}

impl SourceFile {
    pub fn new(
        id: FileId,
        path: PathBuf,
        display: String,
        text: impl Into<Arc<str>>,
    ) -> SourceFile {
        let text: Arc<str> = text.into();
        let bytes = text.as_bytes();
        // Every file read is indexed: the newlines are found with SIMD (twice, so the index
        // is allocated once at its size).
        let mut line_starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        line_starts.push(0u32);
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        SourceFile {
            id,
            path,
            display,
            text,
            outside: false,
            holds_secrets: false,
            line_starts,
            chars_before_block: std::sync::OnceLock::new(),
            generated: std::sync::OnceLock::new(),
            fix_parse: std::sync::OnceLock::new(),
            syntax: std::sync::Mutex::new(None),
        }
    }

    /// A file with its line index and display path, to be given its id by
    /// [`Sources::add_indexed`].
    pub fn indexed(path: PathBuf, text: impl Into<Arc<str>>) -> SourceFile {
        let display = display_path(&path);
        SourceFile::new(0, path, display, text)
    }

    /// `decide(text)`, computed on the first call only.
    pub fn generated(&self, decide: impl FnOnce(&str) -> bool) -> bool {
        *self.generated.get_or_init(|| decide(&self.text))
    }

    /// The fix renderer's parses of this file, created empty on the first call. The
    /// renderer asks with one type only (`fix::Parsed`): another is a bug, caught by its tests.
    pub(crate) fn fix_parse<T: std::any::Any + Default + Send + Sync>(&self) -> &T {
        self.fix_parse
            .get_or_init(|| Box::new(T::default()))
            .downcast_ref()
            .expect("the fix renderer keeps one type of parse per file")
    }

    /// The file's syntax tree, made by `parse` on the first call only (or the first after
    /// [`SourceFile::release_syntax`]). A format asks with one type only (`json::Parsed`):
    /// another is a bug, caught by its tests.
    pub(crate) fn syntax<T: std::any::Any + Send + Sync>(
        &self,
        parse: impl FnOnce(&str) -> T,
    ) -> Arc<T> {
        // Parsed under the lock: two stages asking at once still parse the file once.
        let tree = self
            .syntax
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert_with(|| Arc::new(parse(&self.text)))
            .clone();
        tree.downcast()
            .unwrap_or_else(|_| panic!("a file's syntax tree has one type"))
    }

    /// Lets the file's syntax tree go once the stage that reads it last is done: it is freed
    /// when the last reader drops its handle, and a later reader (a fix) parses again.
    pub(crate) fn release_syntax(&self) {
        let tree = self
            .syntax
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(tree);
    }

    /// Whether any of the file's text may be shown (excerpts, snippets): not for a file
    /// read from outside the scanned paths, nor for one that holds secrets (a plan).
    pub fn text_may_be_shown(&self) -> bool {
        !self.outside && !self.holds_secrets
    }

    /// Byte offset of the start of the line holding `offset`.
    pub fn line_start_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len()) as u32;
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        self.line_starts[line] as usize
    }

    /// 1-based line and 1-based column counted in characters.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(self.text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        // A line shorter than a block (nearly all of them) is counted directly; a longer one
        // from the checkpoints.
        let column = if end - start <= CHAR_BLOCK {
            self.text.as_bytes()[start..end]
                .iter()
                .filter(|b| !is_continuation(**b))
                .count()
                + 1
        } else {
            self.chars_before(end) - self.chars_before(start) + 1
        };
        (line + 1, column)
    }

    /// Characters before a byte offset on a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let blocks = self
            .chars_before_block
            .get_or_init(|| chars_before_blocks(self.text.as_bytes()));
        let counted = blocks.get(block).copied().unwrap_or(0) as usize;
        let from = (block * CHAR_BLOCK).min(offset);
        counted
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|b| !is_continuation(**b))
                .count()
    }

    /// Byte offset of a 1-based line's first character.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.checked_sub(1)?)
            .map(|&o| o as usize)
    }
}

/// All files of one scan, indexed by `FileId`.
#[derive(Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: impl Into<Arc<str>>) -> FileId {
        self.add_indexed(SourceFile::indexed(path, text))
    }

    /// Room for this many more files: a large scan's files are otherwise moved each time
    /// the list grows.
    pub fn reserve(&mut self, additional: usize) {
        self.files.reserve(additional);
    }

    /// Adds a file indexed beforehand ([`SourceFile::indexed`], which may run in parallel).
    pub fn add_indexed(&mut self, mut file: SourceFile) -> FileId {
        let id = self.files.len() as FileId;
        file.id = id;
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }

    /// Takes every file's syntax tree, once no stage but the fixes reads them, for the
    /// caller to drop where it costs least.
    pub(crate) fn take_syntax(&mut self) -> Vec<(FileId, Arc<dyn std::any::Any + Send + Sync>)> {
        self.files
            .iter_mut()
            .filter_map(|file| {
                let kept = file.syntax.get_mut();
                Some((file.id, kept.unwrap_or_else(|e| e.into_inner()).take()?))
            })
            .collect()
    }

    /// Marks a file whose text must never be shown ([`SourceFile::holds_secrets`]).
    pub fn mark_secret(&mut self, id: FileId) {
        self.files[id as usize].holds_secrets = true;
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// Marks the files outside `roots` (absolute directories), as `SourceFile::outside`.
    /// Compared after resolving symbolic links, so a link in the scanned tree that leads out
    /// of it counts as outside.
    ///
    /// `inside` are files known to be inside already (found by walking a root through
    /// directories that are no links): the system is asked only about the others.
    pub fn mark_outside(&mut self, roots: &[PathBuf], inside: &[FileId]) {
        use rayon::prelude::*;
        let roots: Vec<PathBuf> = roots
            .iter()
            .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
            .collect();
        let mut known = vec![false; self.files.len()];
        for &id in inside {
            if let Some(known) = known.get_mut(id as usize) {
                *known = true;
            }
        }
        // Whether each other file is itself a symbolic link: one lstat each, in parallel.
        let is_link: Vec<bool> = self
            .files
            .par_iter()
            .zip(&known)
            .map(|(file, &known)| {
                !known
                    && file.path.as_os_str() != "-"
                    && std::fs::symlink_metadata(&file.path).is_ok_and(|m| m.is_symlink())
            })
            .collect();
        // A directory's real path is resolved once for all its files; a file that is itself
        // a symbolic link is resolved whole.
        let mut real_dirs = RealDirs::default();
        for ((file, is_link), known) in self.files.iter_mut().zip(is_link).zip(known) {
            if known {
                file.outside = false;
                continue;
            }
            if file.path.as_os_str() == "-" {
                continue;
            }
            let real = match (file.path.parent(), file.path.file_name()) {
                (Some(dir), Some(name)) if !is_link => {
                    real_dirs.real(dir).unwrap_or_else(|| dir.into()).join(name)
                }
                _ => std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone()),
            };
            file.outside = !roots.iter().any(|root| real.starts_with(root));
        }
    }

    /// "lz1/terraform/variables.tf:12" style reference for secondary notes: the display
    /// path, since a root and its modules all have a `main.tf`.
    pub fn short_ref(&self, loc: Loc) -> String {
        let file = self.get(loc.file);
        let (line, _) = file.line_col(loc.start);
        format!("{}:{line}", file.display)
    }
}

/// The real paths of directories (`std::fs::canonicalize`), each found from its parent's:
/// a directory that is not a symbolic link is its parent's real path and its name, so a
/// scan of thousands of directories asks the system about each once (one lstat), not about
/// every component of every path.
#[derive(Default)]
struct RealDirs {
    known: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl RealDirs {
    /// What `std::fs::canonicalize(dir)` gives, or None where it fails.
    fn real(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.known.get(dir) {
            return known.clone();
        }
        let real = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name)) if dir.is_absolute() => {
                match std::fs::symlink_metadata(dir) {
                    Ok(m) if m.is_dir() => self.real(parent).map(|p| p.join(name)),
                    Ok(_) => std::fs::canonicalize(dir).ok(),
                    Err(_) => None,
                }
            }
            _ => std::fs::canonicalize(dir).ok(),
        };
        self.known.insert(dir.to_path_buf(), real.clone());
        real
    }
}

/// Relative to the working directory when beneath it, with forward slashes and no `./`.
pub fn display_path(path: &Path) -> String {
    // Asked once: the working directory does not change during a scan.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let shown = match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => path.to_path_buf(),
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    let mut text = text.as_str();
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real directory paths found from their parents' agree with the system's, through a
    /// symbolic link to a directory, a `..` and a path that does not exist.
    #[test]
    fn real_dirs_agree_with_canonicalize() {
        let base = std::env::temp_dir().join(format!("aksguard-real-dirs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("real/inner/deep")).unwrap();
        std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
        let mut dirs = RealDirs::default();
        for dir in [
            "real/inner/deep",
            "link/inner/deep",
            "link/inner",
            "link",
            "real/inner/../inner",
            "missing/dir",
            "real/inner/deep/missing",
        ] {
            let dir = base.join(dir);
            assert_eq!(
                dirs.real(&dir),
                std::fs::canonicalize(&dir).ok(),
                "{}",
                dir.display()
            );
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    /// Columns from the checkpoints equal counting the line's characters one by one, on a
    /// minified line many blocks long with multi-byte characters across block edges.
    #[test]
    fn columns_on_long_lines_count_characters() {
        let mut text = String::from("first line\n");
        for i in 0..5000 {
            text.push_str(if i % 7 == 0 { "é€😀" } else { "ab" });
        }
        text.push_str("\nlast");
        for len in [text.len(), CHAR_BLOCK, 2 * CHAR_BLOCK + 1] {
            let mut cut = len.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let file = SourceFile::new(0, PathBuf::from("x"), "x".into(), &text[..cut]);
            for offset in (0..cut).filter(|o| text.is_char_boundary(*o)).step_by(97) {
                let start = file.line_start_of(offset);
                let expected = text[start..offset].chars().count() + 1;
                assert_eq!(file.line_col(offset as u32).1, expected, "offset {offset}");
            }
        }
    }
}
