//! The last stage: suppressions, the order of the findings and errors, what a scan of
//! named files leaves out, and which files' text may not be shown.

use super::Options;
use crate::config::Config;
use crate::discover;
use crate::finding::{Finding, NotShown, Problem};
use crate::source::Sources;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Marks suppressed findings, adds AG002 for suppressions that hide nothing, and orders
/// the findings by file, place, rule and resource (one per rule, place and resource).
pub(super) fn suppress_and_order(
    findings: &mut Vec<Finding>,
    sources: &mut Sources,
    in_resources: crate::suppress::InResources,
    config: &Config,
) {
    // The configuration joins the sources only when its [[suppress]] entries can be reported.
    let config_file = match (&config.path, config.suppress.is_empty()) {
        (Some(path), false) => crate::input::read_text(path)
            .ok()
            .map(|text| sources.add(path.clone(), text)),
        _ => None,
    };
    let unused = crate::suppress::apply(findings, sources, in_resources, config, config_file);
    findings.extend(
        unused
            .into_iter()
            .filter(|_| config.rule_enabled(crate::catalogue::UNUSED_SUPPRESSION.id())),
    );
    // Stable, like `sort_by`: findings equal in all four keep the order found.
    findings.par_sort_by(|a, b| {
        (
            sources.get(a.at.file).display.as_str(),
            a.at.start,
            a.rule,
            &a.resource,
        )
            .cmp(&(
                sources.get(b.at.file).display.as_str(),
                b.at.start,
                b.rule,
                &b.resource,
            ))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.at == b.at && a.resource == b.resource);
}

/// Named files (a pre-commit hook's changed files): their units were evaluated whole,
/// only their own findings are shown, and what is left out is counted. Errors are all
/// kept: a file of the unit that cannot be read leaves the named file's values unknown.
pub(super) fn focus(
    findings: &mut Vec<Finding>,
    focus: Option<&discover::Focus>,
    sources: &Sources,
) -> NotShown {
    let mut not_shown = NotShown::default();
    let Some(focus) = focus else {
        return not_shown;
    };
    let mut hidden_files: Vec<&Path> = Vec::new();
    let (shown, hidden): (Vec<Finding>, Vec<Finding>) = std::mem::take(findings)
        .into_iter()
        .partition(|f| focus.contains(&sources.get(f.at.file).path));
    *findings = shown;
    for f in hidden.into_iter().filter(|f| !f.suppressed) {
        hidden_files.push(&sources.get(f.at.file).path);
        not_shown.hidden.push(f);
    }
    not_shown.findings = not_shown.hidden.len();
    if not_shown.findings > 0 {
        not_shown.paths = paths_showing(focus, &hidden_files);
    }
    not_shown
}

/// Errors by file and place (stable: problems at the same place keep the order found).
pub(super) fn sort_errors(errors: &mut [Problem]) {
    errors.sort_by(|a, b| (&a.path, a.at.map(|l| l.start)).cmp(&(&b.path, b.at.map(|l| l.start))));
}

/// Marks the files read from outside the scanned paths (module and `using` targets,
/// manifests) so no text of theirs is shown, and replaces the messages of their parse
/// errors, which quote the text, by the place alone. Files named on the command line
/// (`--var-file`, `--parameters`, `--plan`, the configuration) are the user's own choice, not outside.
pub(super) fn hide_outside_text(
    sources: &mut Sources,
    walked: &[crate::source::FileId],
    errors: &mut [Problem],
    paths: &[PathBuf],
    options: &Options,
    config: &Config,
) {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths.iter().filter(|p| p.as_os_str() != "-") {
        let path = discover::absolute(path);
        if path.is_dir() {
            roots.push(path);
        } else if let Some(parent) = path.parent() {
            // A named file is read with the rest of its unit, beside it.
            roots.push(parent.to_path_buf());
        }
    }
    roots.extend(options.var_files.iter().map(|p| discover::absolute(p)));
    roots.extend(options.parameters.iter().map(|p| discover::absolute(p)));
    roots.extend(options.plans.iter().map(|p| discover::absolute(p)));
    roots.extend(config.path.iter().cloned());
    sources.mark_outside(&roots, walked);
    for error in errors.iter_mut() {
        let Some(at) = error.at else { continue };
        let file = sources.get(at.file);
        if file.outside {
            let (line, column) = file.line_col(at.start);
            error.message = format!(
                "this file, outside the scanned paths, does not parse at line {line}, column \
                 {column}; its text is not shown: run `aksguard check {}` to see the error",
                shell_word(&file.display)
            );
        }
    }
}

/// A path as one shell word: quoted unless it is made of characters no shell reads.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/-+@%=:,".contains(c);
    if text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// What to give `aksguard check` so the hidden findings are reported: the closest directory
/// holding the named paths and the hidden files, or, when that is the file system's root,
/// the named paths and the hidden files themselves.
fn paths_showing(focus: &discover::Focus, hidden: &[&Path]) -> Vec<String> {
    let named: Vec<&Path> = focus.named().filter(|p| p.as_os_str() != "-").collect();
    let dir_of = |p: &Path| -> PathBuf {
        if p.is_dir() {
            p.to_path_buf()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    let mut dirs = named.iter().chain(hidden).map(|p| dir_of(p));
    let mut common = dirs.next().unwrap_or_default();
    for dir in dirs {
        while !dir.starts_with(&common) && common.pop() {}
    }
    let shown = |p: &Path| {
        let text = crate::source::display_path(p);
        if text.is_empty() {
            ".".to_string()
        } else {
            shell_word(&text)
        }
    };
    if common.parent().is_some() {
        return vec![shown(&common)];
    }
    let mut out: Vec<String> = named.iter().chain(hidden).map(|p| shown(p)).collect();
    out.dedup();
    out.sort();
    out.dedup();
    out
}
