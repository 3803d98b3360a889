//! Fixes (DESIGN §8). A rule states *what* must change (a [`Remedy`](crate::remedy::Remedy):
//! this field should hold this literal); the edge renders *how* in the file's own syntax, like
//! lines and columns, because only the edge has the source text. `--fix`, `--diff`, the JSON
//! report and the language server's quick fixes all call [`render`], so they cannot disagree.
//! This module only computes edits: `engine::fixes` applies them, lints again and writes.

mod bicep;
mod hcl;
mod json;
mod yaml;

use crate::finding::Finding;
use crate::remedy::{Change, Literal, Target};
use crate::source::{FileId, SourceFile, Sources};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The parses a file's fixes share, kept with the file ([`SourceFile::fix_parse`]): the
/// first fix rendered in a file parses it, the others reuse the tree, so rendering the
/// fixes of N findings costs one parse, not N. JSON fixes share the file's tree the same
/// way through `json::tree`; HCL and YAML fixes read only the lines around their anchor and
/// parse nothing. Bicep trees (up to 400 bytes a token) are kept this way up to
/// [`bicep::MAX_KEPT_TOKENS`] for the whole process; past it, only the last file's
/// (findings are reported file by file).
pub struct Parsed {
    bicep: OnceLock<Option<tree_sitter::Tree>>,
    /// Tokens of the Bicep tree kept in `bicep`, counted in [`bicep::KEPT_TOKENS`].
    bicep_tokens: std::sync::atomic::AtomicUsize,
    /// The file's Bicep tokens, counted once (a file not kept is asked for each fix).
    bicep_count: OnceLock<usize>,
    /// Tells this file from every other one, for the last-file cache.
    id: u64,
    crlf: OnceLock<bool>,
}

impl Default for Parsed {
    fn default() -> Parsed {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Parsed {
            bicep: OnceLock::new(),
            bicep_tokens: Default::default(),
            bicep_count: OnceLock::new(),
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            crlf: OnceLock::new(),
        }
    }
}

impl Drop for Parsed {
    fn drop(&mut self) {
        let tokens = *self.bicep_tokens.get_mut();
        bicep::KEPT_TOKENS.fetch_sub(tokens, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Does the file end its lines with CRLF (most of them, in a file that mixes)? Lines a fix
/// adds end the same way, so a Windows checkout does not get LF lines in CRLF files.
fn crlf(file: &SourceFile) -> bool {
    *file.fix_parse::<Parsed>().crlf.get_or_init(|| {
        // Counted with SIMD searches: a report renders fixes in thousands of files.
        let bytes = file.text.as_bytes();
        let breaks = memchr::memchr_iter(b'\n', bytes).count();
        let crlf = memchr::memmem::find_iter(bytes, b"\r\n").count();
        crlf * 2 > breaks
    })
}

thread_local! {
    static PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts the whole-file parses done for fixes on this thread (tests assert it).
fn count_parse() {
    PARSES.with(|n| n.set(n.get() + 1));
}

#[cfg(test)]
fn parses() -> usize {
    PARSES.with(|n| n.get())
}

/// How far a fix can be trusted to keep the author's intent (Ruff's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    /// Shown, never applied: the file is generated (compiled Bicep, rendered Helm).
    DisplayOnly,
    /// Changes a value shared with other resources, or replaces an expression.
    Unsafe,
    /// Replaces or adds a literal on the offending resource only.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// A byte range of one file and the text that replaces it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edit {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// `key: {` ... `}` down `path` to `last: value`, for the brace syntaxes (JSON, Bicep),
/// which differ only in how a key is written.
fn nested_object(
    out: &mut String,
    path: &[&str],
    indent: &str,
    unit: &str,
    value: &str,
    key: fn(&str) -> String,
) {
    match path {
        [last] => out.push_str(&format!("{indent}{}: {value}", key(last))),
        [first, rest @ ..] => {
            out.push_str(&format!("{indent}{}: {{\n", key(first)));
            nested_object(out, rest, &format!("{indent}{unit}"), unit, value, key);
            out.push_str(&format!("\n{indent}}}"));
        }
        [] => {}
    }
}

fn bare_key(key: &str) -> String {
    key.to_string()
}

fn quoted_key(key: &str) -> String {
    format!("\"{key}\"")
}

/// How one syntax (HCL, JSON, YAML, Bicep) reads and writes the little it must.
trait Syntax {
    /// The value part of a written attribute (`key = value` → `value`).
    fn value_span(&self, text: &str, attribute: (usize, usize)) -> Option<(usize, usize)>;
    /// Is this source text a literal (not an expression or reference)?
    fn is_literal(&self, value: &str) -> bool;
    fn render(&self, value: &Literal) -> String;
    /// The edit that adds `path = value` to the block or object at `anchor`.
    fn insert(
        &self,
        file: &SourceFile,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)>;
}

fn syntax_of(path: &Path) -> Option<&'static dyn Syntax> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".json") {
        Some(&json::Json)
    } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
        Some(&hcl::Hcl)
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Some(&yaml::Yaml)
    } else if name.ends_with(".bicep") || name.ends_with(".bicepparam") {
        // `.bicepparam` values (`param x = false`) are Bicep expressions.
        Some(&bicep::Bicep)
    } else {
        None
    }
}

/// The fix of a finding, rendered against the scanned text; None when the rule has no
/// literal remedy or the text cannot take one without reformatting.
pub fn render(sources: &Sources, finding: &Finding) -> Option<Fix> {
    let remedy = finding.remedy.as_ref()?;
    let mut applicability = Applicability::Safe;
    let mut edits = Vec::new();
    for change in &remedy.changes {
        let (edit, level) = render_change(sources, change)?;
        applicability = applicability.min(level);
        edits.push(edit);
    }
    if remedy.review.is_some() {
        applicability = applicability.min(Applicability::Unsafe);
    }
    if edits.iter().any(|e| generated(sources, e.file, finding)) {
        applicability = Applicability::DisplayOnly;
    }
    edits.sort();
    edits.dedup();
    Some(Fix {
        title: remedy.title.clone(),
        applicability,
        edits,
    })
}

fn render_change(sources: &Sources, change: &Change) -> Option<(Edit, Applicability)> {
    match &change.target {
        Target::Written {
            at,
            written,
            origin,
        } => {
            // A literal written for this one use (at the attribute, or as an argument of
            // the module call or nested deployment that deploys it) is the author's to
            // change; a default, a file of values or a local may feed other resources too:
            // changing it is the author's call.
            let applicability = match origin.as_deref() {
                None => Applicability::Safe,
                Some(origin) if origin.is_call_argument() => Applicability::Safe,
                Some(_) => Applicability::Unsafe,
            };
            let loc = written.unwrap_or(*at);
            let file = sources.get(loc.file);
            let syntax = syntax_of(&file.path)?;
            let span = (loc.start as usize, loc.end as usize);
            let (start, end) = if written.is_some() {
                span
            } else {
                syntax.value_span(&file.text, span)?
            };
            let written = file.text.get(start..end)?;
            let applicability = if syntax.is_literal(written) {
                applicability
            } else {
                // An expression (a conditional, a reference) replaced by a literal drops
                // whatever the author computed.
                Applicability::Unsafe
            };
            let edit = Edit {
                file: loc.file,
                start,
                end,
                content: syntax.render(&change.value),
            };
            Some((edit, applicability))
        }
        Target::Absent { anchor, path } => {
            let file = sources.get(anchor.file);
            let syntax = syntax_of(&file.path)?;
            let segments: Vec<&str> = path.split('.').collect();
            let (offset, mut content) =
                syntax.insert(file, anchor.start as usize, &segments, &change.value)?;
            if crlf(file) {
                content = content.replace('\n', "\r\n");
            }
            let edit = Edit {
                file: anchor.file,
                start: offset,
                end: offset,
                content,
            };
            Some((edit, Applicability::Safe))
        }
    }
}

/// Compiled Bicep and rendered Helm are overwritten by the next build: the fix belongs in
/// the `.bicep` file or the chart.
fn generated(sources: &Sources, file: FileId, finding: &Finding) -> bool {
    let file = sources.get(file);
    let name = file.path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".json") {
        file.generated(|_| crate::arm::compiled_by_bicep(file))
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        // `source` on a manifest finding is the helm template it was rendered from
        // (Terraform findings use it for module files, which are not generated).
        finding.source.is_some()
            || file.generated(|text| {
                text.lines()
                    .any(|l| l.trim_start().starts_with("# Source:"))
            })
    } else {
        false
    }
}

/// Evaluation is the last stage that reads the JSON trees a scan keeps (`json::tree`), the
/// fixes aside: the trees are taken from their files before the model is built, so they do
/// not sit beside it and the report. Whether Bicep compiled each file is decided from its
/// tree first; a fix that adds a property parses its file again, once for all its fixes.
pub(crate) fn release_trees(
    sources: &mut Sources,
) -> Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>> {
    let trees = sources.take_syntax();
    for (id, tree) in &trees {
        let file = sources.get(*id);
        let json = file
            .path
            .to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".json");
        if let (true, Some(parsed)) = (json, tree.downcast_ref::<crate::json::Parsed>()) {
            file.generated(|text| crate::arm::compiled_by_bicep_tree(text, parsed.as_ref().ok()));
        }
    }
    trees.into_iter().map(|(_, tree)| tree).collect()
}

/// Why a set of edits could not be applied to a text.
#[derive(Debug, PartialEq)]
pub struct Overlap;

/// Apply edits (of one file) to its text. Identical edits from several findings (count
/// instances) count once; overlapping different edits are refused.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, Overlap> {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort();
    edits.dedup();
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        if edit.start < cursor || edit.end > text.len() || !text.is_char_boundary(edit.start) {
            return Err(Overlap);
        }
        if !text.is_char_boundary(edit.end) {
            return Err(Overlap);
        }
        out.push_str(&text[cursor..edit.start]);
        out.push_str(&edit.content);
        cursor = edit.end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

/// The fixes to apply, grouped by file: each fix is taken whole or not at all, and a fix
/// overlapping one already taken waits for the next run. A fix with an edit in a file
/// `writable` refuses is not taken (a partial fix would leave the finding).
pub fn plan(
    sources: &Sources,
    findings: &[Finding],
    at_least: Applicability,
    writable: impl Fn(FileId) -> bool,
) -> BTreeMap<FileId, Vec<Edit>> {
    // Per file, the taken edits by start offset. Edits of different fixes never touch and
    // those of one fix never overlap, so an edit can only touch the edits that start last
    // at or before its end: each check is a lookup, not a scan of everything taken.
    let mut taken: BTreeMap<FileId, BTreeMap<usize, Vec<Edit>>> = BTreeMap::new();
    for finding in findings.iter().filter(|f| !f.suppressed) {
        let Some(fix) = render(sources, finding) else {
            continue;
        };
        if fix.applicability < at_least || fix.applicability == Applicability::DisplayOnly {
            continue;
        }
        if !fix.edits.iter().all(|edit| writable(edit.file)) {
            continue;
        }
        let overlaps_itself = fix
            .edits
            .windows(2)
            .any(|w| w[0].file == w[1].file && w[1].start < w[0].end);
        if overlaps_itself {
            continue;
        }
        let fits = fix.edits.iter().all(|edit| {
            let Some(last) = taken
                .get(&edit.file)
                .and_then(|file| file.range(..=edit.end).next_back())
            else {
                return true;
            };
            // Edits that touch wait for the next pass, even two insertions at one point:
            // both might create the same missing parent block.
            last.1.iter().all(|t| t == edit || t.end < edit.start)
        });
        if fits {
            for edit in fix.edits {
                let at = taken.entry(edit.file).or_default().entry(edit.start);
                let edits = at.or_default();
                if !edits.contains(&edit) {
                    edits.push(edit);
                }
            }
        }
    }
    taken
        .into_iter()
        .map(|(file, edits)| (file, edits.into_values().flatten().collect()))
        .collect()
}

/// `true`, `false`, `null` or a number: written the same in HCL, JSON and Bicep.
fn is_keyword_or_number(value: &str) -> bool {
    matches!(value, "true" | "false" | "null") || value.parse::<f64>().is_ok()
}

/// Leading whitespace of the line holding `offset`.
fn line_indent(file: &SourceFile, offset: usize) -> &str {
    let line = &file.text[file.line_start_of(offset)..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

#[cfg(test)]
mod tests;
