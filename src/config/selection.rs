//! Rule selection: `select`, `ignore`, `[severity]` and `unsuppressible`, and the shape of
//! the rule IDs and prefixes they are written with.

use super::suggest::closest;
use super::{Config, ConfigError};
use crate::severity::Severity;
use std::ops::Range;

#[derive(Clone, Debug)]
pub(super) struct RuleRef {
    pub(super) text: String,
    /// Exact IDs must name a rule; selectors only need to be a prefix of one.
    pub(super) exact: bool,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) span: Range<usize>,
}

impl Config {
    /// Ruff's semantics: the most specific matching selector decides, and `ignore` wins a
    /// tie. Engine diagnostics (`AG…`) are not switched off by a `select` that leaves them
    /// out, because `select = ["AKS"]` must not hide parse errors; `ignore` still works.
    pub fn rule_enabled(&self, id: &str) -> bool {
        let selected = if self.select.is_empty() || id.starts_with("AG") {
            Some(0)
        } else {
            best_match(&self.select, id)
        };
        match (selected, best_match(&self.ignore, id)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(select), Some(ignore)) => select > ignore,
        }
    }

    pub fn severity_for(&self, id: &str, default: Severity) -> Severity {
        self.severity.get(id).copied().unwrap_or(default)
    }

    pub fn is_unsuppressible(&self, id: &str) -> bool {
        best_match(&self.governance.unsuppressible, id).is_some()
    }

    /// Reports, as AG004, the first rule ID or prefix in the file (select, ignore,
    /// [severity], [[suppress]] rule, unsuppressible) that names no rule in `known`. The
    /// parser only checks the shape of IDs because the rule registry lives elsewhere.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        for reference in &self.rule_refs {
            let found = if reference.exact {
                known.contains(&reference.text.as_str())
            } else {
                reference.text == "ALL" || known.iter().any(|id| id.starts_with(&reference.text))
            };
            if found {
                continue;
            }
            let message = unknown_rule_message(&reference.text, reference.exact, known);
            return Err(ConfigError {
                path: path.clone(),
                line: reference.line,
                column: reference.column,
                message,
                span: Some(reference.span.clone()),
            });
        }
        Ok(())
    }
}

/// `surface:<name>` selects every rule of an attack surface (`surface:registry`).
pub const SURFACE_PREFIX: &str = "surface:";

/// A surface selector's name, checked, with the closest name when it is a typo.
pub(super) fn check_surface(name: &str) -> Result<(), String> {
    if crate::catalogue::Surface::parse(name).is_some() {
        return Ok(());
    }
    let names = crate::catalogue::Surface::ALL.map(crate::catalogue::Surface::as_str);
    let mut message = format!(
        "`{SURFACE_PREFIX}{name}` names no surface; expected one of {}",
        names.map(|n| format!("`{SURFACE_PREFIX}{n}`")).join(", ")
    );
    let lower = name.to_ascii_lowercase();
    if let Some(closest) = closest(&lower, &names, 2) {
        message.push_str(&format!("; did you mean `{SURFACE_PREFIX}{closest}`?"));
    }
    Err(message)
}

/// A surface selector is more specific than `ALL` and less than any ID prefix, so
/// `select = ["surface:node"]` with `ignore = ["AKS015"]` drops AKS015 only.
fn best_match(selectors: &[String], id: &str) -> Option<usize> {
    selectors
        .iter()
        .filter_map(|selector| {
            if selector == "ALL" {
                Some(0)
            } else if let Some(name) = selector.strip_prefix(SURFACE_PREFIX) {
                let surface = crate::catalogue::Surface::parse(name)?;
                (crate::catalogue::surface(id) == Some(surface)).then_some(1)
            } else if id.starts_with(selector.as_str()) {
                Some(selector.len())
            } else {
                None
            }
        })
        .max()
}

/// Shape of a rule selector: an upper-case prefix that starts and ends with a letter
/// (`AKS`, `K8S`, `LZ`) followed by up to three digits. `ALL` selects everything.
fn selector_digits(selector: &str) -> Option<usize> {
    let digits = selector
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    let prefix = &selector[..selector.len() - digits];
    let first = prefix.bytes().next()?;
    let valid = digits <= 3
        && first.is_ascii_uppercase()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    valid.then_some(digits)
}

pub(super) fn is_rule_id(text: &str) -> bool {
    selector_digits(text) == Some(3)
}

/// Why `text` is not shaped like a rule ID (or, unless `want_id`, a prefix), with the
/// upper-case spelling when that is one.
pub(super) fn rule_shape_message(text: &str, want_id: bool) -> String {
    let upper = text.to_ascii_uppercase();
    let fixed = if want_id {
        is_rule_id(&upper)
    } else {
        is_rule_selector(&upper)
    };
    let mut message = if want_id {
        format!("`{text}` is not a rule ID (like `AKS016` or `K8S003`)")
    } else {
        format!("`{text}` is not a rule ID or prefix (like `AKS`, `K8S0` or `ACR004`)")
    };
    if fixed && upper != text {
        message.push_str(&format!("; did you mean `{upper}`?"));
    } else if want_id && is_rule_selector(&upper) {
        message.push_str("; a single rule is meant here, not a prefix");
    }
    message
}

/// Why no rule of `known` is `text` (`exact`) or starts with it, with the closest ID.
fn unknown_rule_message(text: &str, exact: bool, known: &[&str]) -> String {
    let what = if exact {
        "no rule has the ID"
    } else {
        "no rule ID starts with"
    };
    let mut message = format!("{what} `{text}`");
    if let Some(closest) = closest(text, known, 2) {
        message.push_str(&format!("; did you mean `{closest}`?"));
    }
    message
}

/// A `--select` / `--ignore` value checked as the configuration's `select` and `ignore`
/// are: shaped like a rule ID or prefix, and naming at least one rule of `known`.
pub fn check_rule_selector(text: &str, known: &[&str]) -> Result<(), String> {
    if let Some(surface) = text.strip_prefix(SURFACE_PREFIX) {
        return check_surface(surface);
    }
    if !is_rule_selector(text) {
        return Err(rule_shape_message(text, false));
    }
    if text == "ALL" || known.iter().any(|id| id.starts_with(text)) {
        return Ok(());
    }
    Err(unknown_rule_message(text, false, known))
}

pub(super) fn is_rule_selector(text: &str) -> bool {
    text == "ALL" || selector_digits(text).is_some()
}
