//! What a scan produces, below every stage that produces it: rule findings, the engine's
//! own problems (AG001) and the [`Scan`] that carries them with their sources to the
//! reporters, the language server and the fix loop.

use crate::catalogue::{Meta, PARSE_ERROR};
use crate::severity::Severity;
use crate::source::{Loc, Sources};
use std::collections::BTreeMap;
use std::time::Duration;

/// One reported problem. Locations stay byte spans until a reporter renders them.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    pub message: String,
    pub at: Loc,
    /// Text of the primary label ("set to false here", "absent: defaults to ...").
    pub label: String,
    /// Secondary locations: where a value came from ("variable default").
    pub notes: Vec<(Loc, String)>,
    pub help: String,
    pub resource: String,
    pub landing_zone: Option<String>,
    /// The helm template or `.bicep` file the finding really belongs to.
    pub source: Option<String>,
    pub suppressed: bool,
    /// Why it is suppressed: the reason written with the suppression, or "baseline".
    pub suppression: Option<String>,
    /// When a `[[suppress]]` entry of the configuration that suppresses it expires.
    pub suppression_expires: Option<String>,
    /// What would resolve it, rendered into edits at the edge (`fix::render`).
    pub remedy: Option<crate::remedy::Remedy>,
}

impl Finding {
    /// A finding of a rule or engine diagnostic, as it leaves its check: not suppressed,
    /// with no notes, zone, source or remedy yet.
    pub fn new(
        meta: &'static Meta,
        at: Loc,
        message: String,
        label: String,
        help: String,
        resource: String,
    ) -> Finding {
        Finding {
            rule: meta.id,
            slug: meta.slug,
            severity: meta.severity,
            message,
            at,
            label,
            notes: Vec::new(),
            help,
            resource,
            landing_zone: None,
            source: None,
            suppressed: false,
            suppression: None,
            suppression_expires: None,
            remedy: None,
        }
    }

    /// Attach a rule's remedy (none when a change cannot be expressed as a literal).
    pub fn with_remedy(mut self, remedy: Option<crate::remedy::Remedy>) -> Finding {
        self.remedy = remedy;
        self
    }
}

/// An engine diagnostic (AG001 parse error) rather than a rule finding.
#[derive(Clone, Debug)]
pub struct Problem {
    pub rule: &'static str,
    pub slug: &'static str,
    pub path: String,
    pub at: Option<Loc>,
    pub message: String,
}

impl Problem {
    /// AG001 on a path (display form), at a place in it when known.
    pub fn parse_error(path: String, at: Option<Loc>, message: impl Into<String>) -> Problem {
        Problem {
            rule: PARSE_ERROR.id(),
            slug: PARSE_ERROR.slug(),
            path,
            at,
            message: message.into(),
        }
    }

    /// AG001 at a place in a file of the scan.
    pub fn in_file(sources: &Sources, at: Loc, message: String) -> Problem {
        Problem::parse_error(sources.get(at.file).display.clone(), Some(at), message)
    }
}

pub struct Scan {
    pub sources: Sources,
    pub findings: Vec<Finding>,
    pub errors: Vec<Problem>,
    pub resources: usize,
    /// Files that were read as Terraform, tfvars, ARM templates or parameters.
    pub files: usize,
    pub duration: Duration,
    /// Wall time of each phase, for `--statistics`.
    pub phases: Vec<(&'static str, Duration)>,
    /// How the AKS/ACR security fields of the model resolved, for `--statistics`.
    pub field_states: FieldStates,
    /// Findings of the evaluated units left out because they lie in files not named on the
    /// command line (a pre-commit hook names the changed files).
    pub not_shown: NotShown,
    /// Each landing zone's coverage and resource links, when `Options::posture` asked.
    pub posture: Option<crate::posture::Posture>,
}

/// What a scan of named files left out, and how to see it.
#[derive(Clone, Debug, Default)]
pub struct NotShown {
    /// Unsuppressed findings in other files of the named files' units.
    pub findings: usize,
    /// The paths to give `aksguard check` to see them (display form).
    pub paths: Vec<String>,
    /// Those findings, so a baseline can still mark the ones it knows (they are then not
    /// counted).
    pub hidden: Vec<Finding>,
}

impl NotShown {
    /// One line for every output format: how many and the command that shows them.
    pub fn line(&self) -> Option<String> {
        if self.findings == 0 {
            return None;
        }
        let (count, verb) = match self.findings {
            1 => ("1 finding".to_string(), "lies"),
            n => (format!("{n} findings"), "lie"),
        };
        Some(format!(
            "{count} of the evaluated units {verb} in files not named on the command line and \
             {} not shown: `aksguard check {}` reports {}",
            if self.findings == 1 { "is" } else { "are" },
            self.paths.join(" "),
            if self.findings == 1 { "it" } else { "them" },
        ))
    }
}

/// Counts of the security fields the AKS*/ACR* rules read (clusters, inline and separate
/// node pools, registries, diagnostic settings), by state, per format: how much of the configuration the
/// evaluators could decide.
#[derive(Clone, Debug, Default)]
pub struct FieldStates {
    /// (format name, [set, default, unknown, subjects]): subjects are the clusters, node
    /// pools, registries and diagnostic settings the fields belong to.
    pub by_format: BTreeMap<&'static str, [usize; 4]>,
    /// Diagnostic settings: [all, linked to a cluster, target unknown offline] (AKS019).
    pub diagnostic_settings: [usize; 3],
}
