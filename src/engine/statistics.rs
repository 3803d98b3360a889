//! What `--statistics` shows: the wall time of each stage and how the security fields of
//! the model resolved.

use crate::finding::FieldStates;
use crate::model::field::State;
use crate::model::raw::Format;
use crate::model::security_fields::for_each_field;
use crate::model::Model;
use std::time::{Duration, Instant};

/// The wall time of each stage, measured lap by lap.
pub(super) struct Phases {
    started: Instant,
    lap: Instant,
    pub(super) done: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub(super) fn start() -> Phases {
        let now = Instant::now();
        Phases {
            started: now,
            lap: now,
            done: Vec::new(),
        }
    }

    /// Ends the stage `name`, which began where the previous one ended.
    pub(super) fn lap(&mut self, name: &'static str) {
        self.done.push((name, self.lap.elapsed()));
        self.lap = Instant::now();
    }

    pub(super) fn total(&self) -> Duration {
        self.started.elapsed()
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Terraform => "terraform",
        Format::Arm => "arm",
        Format::Bicep => "bicep",
        Format::Kubernetes => "kubernetes",
    }
}

pub(super) fn field_states(model: &Model) -> FieldStates {
    let mut states = FieldStates::default();
    let mut last_subject = None;
    for_each_field(model, &mut |subject, format, _, state, _| {
        let name = format_name(format);
        let counts = states.by_format.entry(name).or_default();
        if last_subject != Some(subject as *const str) {
            last_subject = Some(subject as *const str);
            counts[3] += 1;
        }
        counts[match state {
            State::Set => 0,
            State::Default => 1,
            State::Unknown => 2,
        }] += 1;
    });
    for setting in &model.diagnostic_settings {
        states.diagnostic_settings[0] += 1;
        states.diagnostic_settings[1] += usize::from(setting.cluster.is_some());
        states.diagnostic_settings[2] += usize::from(setting.target.is_unknown());
    }
    states
}
