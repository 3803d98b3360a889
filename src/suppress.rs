//! Suppressions (DESIGN §6): inline comments, ARM resource metadata, the Kubernetes
//! annotation and `[[suppress]]` in the configuration. A suppression that hides nothing, or
//! has expired, is itself reported (AG002) so waivers cannot silently outlive their reason.

use crate::catalogue::{MODULE_NOT_EVALUATED, UNUSED_SUPPRESSION};
use crate::config::{today_utc, Config};
use crate::finding::Finding;
use crate::model::raw::{Format, RawResource};
use crate::source::{FileId, Loc, Sources};
use crate::value::Value;
use rayon::prelude::*;

const MARKER: &str = "aksguard:ignore";
const K8S_ANNOTATION: &str = "aksguard.io/ignore";

/// Where a suppression was written and what it covers.
enum Scope {
    /// Findings on this line or the next one (the comment's own line, or the line it precedes).
    Lines { file: FileId, line: usize },
    /// Findings of this resource address declared in this file.
    Resource { file: FileId, address: String },
    /// A `[[suppress]]` entry of the configuration (its index).
    Config(usize),
}

struct Directive {
    rules: Vec<String>,
    reason: String,
    scope: Scope,
    /// Where AG002 points.
    at: Option<Loc>,
    used: bool,
}

/// The suppressions written in resources (ARM metadata, the Kubernetes annotation), in
/// resource order. Read before the model is built: building it releases the bodies.
pub struct InResources(Vec<Directive>);

pub fn in_resources(resources: &[RawResource]) -> InResources {
    let mut directives = Vec::new();
    for res in resources {
        resource_directives(res, &mut directives);
    }
    InResources(directives)
}

/// Marks suppressed findings and returns the AG002 findings for unused or expired ones.
/// `config_file` is the configuration's FileId when it was added to the sources.
pub fn apply(
    findings: &mut [Finding],
    sources: &Sources,
    in_resources: InResources,
    config: &Config,
    config_file: Option<FileId>,
) -> Vec<Finding> {
    // Looking for the marker reads every byte of the scan: in parallel.
    let files: Vec<&crate::source::SourceFile> = sources.iter().collect();
    let per_file: Vec<Vec<Directive>> = files
        .par_iter()
        .map(|file| {
            let mut found = Vec::new();
            if file.text.contains(MARKER) {
                inline_directives(file.id, &file.text, &mut found);
            }
            found
        })
        .collect();
    let mut directives: Vec<Directive> = per_file.into_iter().flatten().collect();
    directives.extend(in_resources.0);
    let today = today_utc();
    let mut reports = Vec::new();
    let config_loc = |line: usize| {
        config_file.and_then(|id| {
            let start = sources.get(id).line_start(line)?;
            Some(Loc::new(id, start, start + "[[suppress]]".len()))
        })
    };
    for (index, entry) in config.suppress.iter().enumerate() {
        if entry.is_expired(&today) {
            if let Some(at) = config_loc(entry.line) {
                reports.push(unused(
                    at,
                    format!(
                        "The suppression of {} for `{}` expired on {}: the finding is reported again",
                        entry.rule,
                        entry.resource,
                        entry.expires.as_deref().unwrap_or("?")
                    ),
                ));
            }
            continue;
        }
        directives.push(Directive {
            rules: vec![entry.rule.clone()],
            reason: entry.reason.clone(),
            scope: Scope::Config(index),
            at: config_loc(entry.line),
            used: false,
        });
    }

    // Without a directive no finding can be suppressed: the loop below would only look up
    // every finding's line.
    let candidates: &mut [Finding] = if directives.is_empty() {
        &mut []
    } else {
        findings
    };
    for finding in candidates.iter_mut() {
        // Engine diagnostics are not suppressible, except the AG005 notices, which a module
        // checked elsewhere may carry for good.
        let notice = finding.rule == MODULE_NOT_EVALUATED.id();
        if finding.rule.starts_with("AG") && !notice || finding.suppressed {
            continue;
        }
        let (line, _) = sources.get(finding.at.file).line_col(finding.at.start);
        for directive in directives.iter_mut() {
            if !directive.rules.iter().any(|r| r == finding.rule) {
                continue;
            }
            let applies = match &directive.scope {
                Scope::Lines { file, line: at } => {
                    *file == finding.at.file && (line == *at || line == at + 1)
                }
                Scope::Resource { file, address } => {
                    *file == finding.at.file && address.eq_ignore_ascii_case(&finding.resource)
                }
                Scope::Config(index) => {
                    config.suppress[*index].matches(finding.rule, &finding.resource)
                }
            };
            if !applies {
                continue;
            }
            directive.used = true;
            if config.is_unsuppressible(finding.rule) {
                continue;
            }
            finding.suppressed = true;
            finding.suppression = Some(directive.reason.clone());
            if let Scope::Config(index) = directive.scope {
                finding.suppression_expires = config.suppress[index].expires.clone();
            }
            break;
        }
    }

    for directive in directives {
        if directive.used {
            if let (Some(at), Some(rule)) = (
                directive.at,
                directive.rules.iter().find(|r| config.is_unsuppressible(r)),
            ) {
                reports.push(unused(
                    at,
                    format!("{rule} cannot be suppressed: `[governance] unsuppressible` lists it"),
                ));
            }
            continue;
        }
        if let Some(at) = directive.at {
            reports.push(unused(
                at,
                format!(
                    "This suppression of {} matches no finding: remove it",
                    directive.rules.join(", ")
                ),
            ));
        }
    }
    reports
}

fn unused(at: Loc, message: String) -> Finding {
    Finding::new(
        UNUSED_SUPPRESSION.meta(),
        at,
        message,
        "suppression".to_string(),
        "Delete suppressions that no longer hide anything, and renew or drop expired waivers"
            .to_string(),
        String::new(),
    )
}

/// `# aksguard:ignore AKS001, AKS002 -- reason` (also `//`), in any text format.
fn inline_directives(file: FileId, text: &str, out: &mut Vec<Directive>) {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if let Some(position) = line.find(MARKER) {
            let before = &line[..position];
            if before.contains('#') || before.contains("//") {
                let (rules, reason) = parse_rules(&line[position + MARKER.len()..]);
                let comment_start = before
                    .rfind('#')
                    .or_else(|| before.rfind("//"))
                    .unwrap_or(0);
                if !rules.is_empty() {
                    out.push(Directive {
                        rules,
                        reason,
                        scope: Scope::Lines {
                            file,
                            line: index + 1,
                        },
                        at: Some(Loc::new(
                            file,
                            offset + comment_start,
                            offset + line.trim_end().len(),
                        )),
                        used: false,
                    });
                }
            }
        }
        offset += line.len();
    }
}

/// `AKS001, AKS002 -- reason` -> (["AKS001", "AKS002"], "reason")
fn parse_rules(rest: &str) -> (Vec<String>, String) {
    let (ids, reason) = rest.split_once("--").unwrap_or((rest, ""));
    let rules = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|t| {
            t.len() >= 5
                && t.chars().all(|c| c.is_ascii_alphanumeric())
                && t.chars().rev().take(3).all(|c| c.is_ascii_digit())
        })
        .map(str::to_ascii_uppercase)
        .collect();
    let reason = reason
        .trim()
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim()
        .to_string();
    (rules, reason)
}

/// ARM `"metadata": {"aksguard": {"ignore": [{"rule": ..., "reason": ...}]}}` and the
/// Kubernetes annotation `aksguard.io/ignore: "K8S003 -- reason"`.
fn resource_directives(res: &RawResource, out: &mut Vec<Directive>) {
    match res.format {
        Format::Arm | Format::Bicep => {
            let Some(list) = res
                .body
                .get_ci("metadata")
                .and_then(|m| m.get_ci("aksguard"))
                .and_then(|a| a.get_ci("ignore"))
                .and_then(Value::as_list)
            else {
                return;
            };
            for item in list {
                let Some(rule) = item.get_ci("rule").and_then(Value::as_str) else {
                    continue;
                };
                out.push(Directive {
                    rules: vec![rule.to_ascii_uppercase()],
                    reason: item
                        .get_ci("reason")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    scope: Scope::Resource {
                        file: res.file,
                        address: res.address.clone(),
                    },
                    at: item.loc,
                    used: false,
                });
            }
        }
        Format::Kubernetes => {
            let Some(entry) = res
                .body
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.entry(K8S_ANNOTATION))
            else {
                return;
            };
            let Some(text) = entry.value.as_str() else {
                return;
            };
            let (rules, reason) = parse_rules(text);
            out.push(Directive {
                rules,
                reason,
                scope: Scope::Resource {
                    file: res.file,
                    address: res.address.clone(),
                },
                at: entry.key_loc,
                used: false,
            });
        }
        Format::Terraform => {}
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rules;

    #[test]
    fn rule_lists_and_reasons() {
        assert_eq!(
            parse_rules(" AKS001, K8S003 -- break-glass, ticket OPS-1"),
            (
                vec!["AKS001".to_string(), "K8S003".to_string()],
                "break-glass, ticket OPS-1".to_string()
            )
        );
        assert_eq!(parse_rules(" ACR002").0, vec!["ACR002".to_string()]);
        assert!(parse_rules(" -- no rules").0.is_empty());
    }
}
