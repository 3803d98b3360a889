//! The one entry point shared by every front end (the command line, the language server,
//! the fix loop): [`lint`] runs the stages in order, each in its own module:
//!
//! 1. [`read`]: discover the files and read them (in parallel) into the sources;
//! 2. [`units`]: form the units of evaluation (Terraform roots, ARM templates with their
//!    parameters, Bicep roots, manifests) and the build files;
//! 3. [`adapt`]: evaluate the units (in parallel) into raw resources;
//! 4. the model, from the resources, with the links between them;
//! 5. [`check`]: run the rules (in parallel);
//! 6. [`relocate`]: move findings to where the user can act and name the other places;
//! 7. [`order`]: suppressions, baseline, order, and what is not shown;
//!
//! timing each for `--statistics` ([`statistics`]). [`fixes`] drives `check --fix` and
//! `--diff`: it lints again after each pass of fixes `fix` renders.

mod adapt;
mod check;
pub mod fixes;
mod order;
mod read;
mod relocate;
pub(crate) mod statistics;
mod unchecked;
mod units;

pub use crate::finding::{FieldStates, NotShown, Problem, Scan};
pub use crate::input::MAX_FILE_BYTES;
pub use check::MAX_FINDINGS;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::model::Model;
use crate::rules::Context;
use std::collections::HashMap;
use std::path::PathBuf;

/// Inputs from the command line beyond the paths and the configuration.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--var name=value`, for every Terraform root, after every variable file.
    pub vars: Vec<(String, String)>,
    /// `--var-file FILE`, for every Terraform root, after its own tfvars.
    pub var_files: Vec<PathBuf>,
    /// `--parameters FILE`, for every ARM template (instead of a sibling parameters file).
    pub parameters: Option<PathBuf>,
    /// `--plan FILE`: Terraform plan JSON, each of the scanned root it was made from.
    pub plans: Vec<PathBuf>,
    /// `--unknown=warn`: an AG003 finding wherever a rule could not decide on an unknown value.
    pub unknown_warn: bool,
    /// Build each landing zone's posture (`Scan::posture`), for the HTML report.
    pub posture: bool,
    /// The process exits once this scan is reported (a `check` without `--fix`): what only
    /// the scan needed is left for the exit to release, not freed beside the report.
    pub exit_after: bool,
}

/// No options: what the language server and the tests lint with.
static NO_OPTIONS: Options = Options {
    vars: Vec::new(),
    var_files: Vec::new(),
    parameters: None,
    plans: Vec::new(),
    unknown_warn: false,
    posture: false,
    exit_after: false,
};

/// Editor buffers that stand in for the files on disk at these (absolute) paths: the
/// language server's open documents, or `--fix` trying its edits before writing them.
pub type Buffers = HashMap<PathBuf, String>;

/// What to lint and how: the paths, the configuration, and optionally the command line's
/// options, buffers standing in for files on disk, and a baseline whose findings are
/// marked suppressed.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub paths: &'a [PathBuf],
    pub config: &'a Config,
    pub options: &'a Options,
    pub buffers: Option<&'a Buffers>,
    pub baseline: Option<&'a Baseline>,
}

impl<'a> Request<'a> {
    pub fn new(paths: &'a [PathBuf], config: &'a Config) -> Request<'a> {
        Request {
            paths,
            config,
            options: &NO_OPTIONS,
            buffers: None,
            baseline: None,
        }
    }

    pub fn options(self, options: &'a Options) -> Request<'a> {
        Request { options, ..self }
    }

    pub fn buffers(self, buffers: &'a Buffers) -> Request<'a> {
        Request {
            buffers: Some(buffers),
            ..self
        }
    }

    pub fn baseline(self, baseline: Option<&'a Baseline>) -> Request<'a> {
        Request { baseline, ..self }
    }
}

/// Lints the request's paths: every stage, in order.
pub fn lint(request: &Request) -> Scan {
    let Request {
        paths,
        config,
        options,
        ..
    } = *request;
    let mut phases = statistics::Phases::start();
    let found = read::discover(request);
    phases.lap("discover");
    let mut read = read::read(request, found);
    let units = units::form(&mut read);
    let unchecked = if config.rule_enabled(crate::catalogue::FILE_NOT_CHECKED.id()) {
        unchecked::named_files(&read, &units)
    } else {
        Vec::new()
    };
    unchecked::unused_inputs(request, &units, &mut read.errors);
    let read::Read {
        mut sources,
        mut errors,
        focus,
        walked,
        listed,
        ..
    } = read;
    phases.lap("read");

    let adapted = adapt::adapt_all(&units, &sources, request, &mut errors);
    let json_trees = crate::fix::release_trees(&mut sources);
    rayon::spawn(move || drop(json_trees));
    let announced = crate::k8s::charts::unrendered_charts(&sources, &units.unrendered);
    let not_evaluated_enabled = config.rule_enabled(crate::catalogue::MODULE_NOT_EVALUATED.id());
    // Joining the units' results is one thread's work (most of it moving the resources into
    // one vector): the landing zones of the files are found on the other meanwhile.
    let ((merged, linked_templates, suppressions), (zones, mut zone_of_file)) = rayon::join(
        || {
            let merged = relocate::merge(adapted, announced, &mut errors);
            // A module called by several roots reports its problems once.
            order::sort_errors(&mut errors);
            errors.dedup_by(|a, b| a.path == b.path && a.at == b.at && a.message == b.message);
            // Building the model releases the resources' bodies: what later stages read of
            // them is taken first.
            let linked_templates = if not_evaluated_enabled {
                crate::notice::linked_templates(&merged.resources)
            } else {
                Vec::new()
            };
            let suppressions = crate::suppress::in_resources(&merged.resources);
            (merged, linked_templates, suppressions)
        },
        || units::landing_zones(config, &sources),
    );
    for (cached, caller) in &units.registry_callers {
        zone_of_file[*cached as usize] = zone_of_file[*caller as usize];
    }
    phases.lap("parse and evaluate");

    let mut resources = merged.resources;
    let unit_of_file = &units.unit_of_file;
    let mut model = Model::build(
        &mut resources,
        |file| unit_of_file.get(&file).copied().unwrap_or(usize::MAX),
        |file| zone_of_file[file as usize],
        zones,
    );
    adapt::build_surface(
        &mut model,
        &units.build_files,
        &sources,
        &zone_of_file,
        &mut errors,
    );
    let context = Context {
        model: &model,
        config,
    };
    let unknown_warn =
        options.unknown_warn && config.rule_enabled(crate::catalogue::UNRESOLVED_VALUE.id());
    let owners = check::unknown_owners(&model, unknown_warn);
    phases.lap("model and links");

    // The security-field counts (`--statistics`) are one pass over the model on one
    // thread: taken while the rules run.
    let (mut findings, field_states) = rayon::join(
        || check::run(&context, config, unknown_warn, &owners, paths, &mut errors),
        || statistics::field_states(&model),
    );
    phases.lap("rules");

    if not_evaluated_enabled {
        findings.extend(
            linked_templates
                .into_iter()
                .map(crate::notice::NotEvaluated::into_finding),
        );
        findings.extend(
            merged
                .not_evaluated
                .into_iter()
                .map(crate::notice::NotEvaluated::into_finding),
        );
    }
    findings.extend(unchecked);
    relocate::relocate(
        &mut findings,
        &merged.places,
        &relocate::Context {
            sources: &sources,
            config,
            resources: &resources,
            zone_of_file: &zone_of_file,
            zones: &model.zones,
            listed: &listed,
        },
    );
    order::suppress_and_order(&mut findings, &mut sources, suppressions, config);
    crate::plan::hide_secrets(&units.plans, &mut findings, &mut errors);
    let not_shown = order::focus(&mut findings, focus.as_ref(), &sources);
    order::sort_errors(&mut errors);
    order::hide_outside_text(&mut sources, &walked, &mut errors, paths, options, config);
    phases.lap("suppressions and order");

    let posture = options
        .posture
        .then(|| crate::posture::Posture::of(&model, &zone_of_file));
    let mut scan = Scan {
        posture,
        field_states,
        files: units.scanned.len(),
        resources: model.resource_count,
        sources,
        findings,
        errors,
        duration: phases.total(),
        phases: phases.done,
        not_shown,
    };
    if let Some(baseline) = request.baseline {
        baseline.apply(&mut scan);
    }
    // Freeing the resources, the model and the syntax trees of a large scan takes longer
    // than some stages: it is done beside the report, not before it, and not at all when
    // the process exits after the report (the system takes the memory back at once).
    let done_with = (resources, model, units, merged.places, listed);
    if options.exit_after {
        std::mem::forget(done_with);
    } else {
        rayon::spawn(move || drop(done_with));
    }
    scan
}
