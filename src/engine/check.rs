//! Runs the enabled rules over the model, in parallel, keeping at most [`MAX_FINDINGS`];
//! with `--unknown=warn`, also says where a rule could not decide (AG003).

use crate::catalogue::{FINDING_LIMIT, UNRESOLVED_VALUE};
use crate::config::Config;
use crate::finding::{Finding, Problem};
use crate::model::field::State;
use crate::model::security_fields::for_each_field;
use crate::model::Model;
use crate::rules::{self, Context};
use crate::source::Loc;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most findings one scan reports. The 5,000-zone benchmark corpus gives about
/// 130,000; past this many, memory, not the user, is what the findings are about.
pub const MAX_FINDINGS: usize = 250_000;

/// For AG003: the resource each unknown field belongs to (empty unless `unknown_warn`).
pub(super) fn unknown_owners(model: &Model, unknown_warn: bool) -> HashMap<Loc, String> {
    let mut owners: HashMap<Loc, String> = HashMap::new();
    if unknown_warn {
        for_each_field(model, &mut |address, _, _, state, at| {
            if state == State::Unknown {
                owners.entry(at).or_insert_with(|| address.to_string());
            }
        });
    }
    owners
}

pub(super) fn run(
    context: &Context<'_>,
    config: &Config,
    unknown_warn: bool,
    owners: &HashMap<Loc, String>,
    paths: &[PathBuf],
    errors: &mut Vec<Problem>,
) -> Vec<Finding> {
    // Findings kept so far and those dropped past MAX_FINDINGS: a hostile file of tiny
    // workloads gives millions, which would exhaust memory before the report is written.
    let kept = AtomicUsize::new(0);
    let dropped = AtomicUsize::new(0);
    let findings: Vec<Finding> = rules::ALL
        .par_iter()
        .filter(|rule| config.rule_enabled(rule.id))
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            if unknown_warn {
                let ((), reads) =
                    crate::model::field::tracking_unknown_reads(|| (rule.check)(context, &mut out));
                unresolved(rule, reads, owners, &mut out);
            } else {
                (rule.check)(context, &mut out);
            }
            let before = kept.fetch_add(out.len(), Ordering::Relaxed);
            let room = MAX_FINDINGS.saturating_sub(before);
            if out.len() > room {
                dropped.fetch_add(out.len() - room, Ordering::Relaxed);
                out.truncate(room);
                out.shrink_to_fit();
            }
            out
        })
        .collect();
    let dropped = dropped.into_inner();
    if dropped > 0 {
        // Not a parse error: every file was read; what it found could not all be shown.
        errors.push(Problem {
            rule: FINDING_LIMIT.id(),
            slug: FINDING_LIMIT.slug(),
            path: paths
                .first()
                .map(|p| crate::source::display_path(p))
                .unwrap_or_default(),
            at: None,
            message: format!(
                "{dropped} more findings are not reported: a scan reports at most \
                 {MAX_FINDINGS} (more means generated or hostile input); scan fewer paths \
                 or narrow the rules with --select to see the rest"
            ),
        });
    }
    findings
}

/// AG003 unresolved-value: one per unknown field a rule read, naming the expression.
fn unresolved(
    rule: &rules::Rule,
    reads: Vec<crate::model::field::UnknownRead>,
    owners: &HashMap<Loc, String>,
    out: &mut Vec<Finding>,
) {
    let mut seen = HashSet::new();
    for read in reads {
        if !seen.insert(read.at) {
            continue;
        }
        let expr = if read.expr.is_empty() {
            "an expression".to_string()
        } else {
            format!("`{}`", read.expr)
        };
        out.push(Finding::new(
            UNRESOLVED_VALUE.meta(),
            read.at,
            format!(
                "{} ({}) cannot verify `{}`: {expr} is not known offline",
                rule.id, rule.slug, read.attribute
            ),
            format!("{expr} is unknown"),
            "Give the value a default, a tfvars entry, `--var`/`--var-file`, or an ARM \
             parameters file so aksguard can decide; or run `terraform plan` checks."
                .to_string(),
            owners.get(&read.at).cloned().unwrap_or_default(),
        ));
    }
}
