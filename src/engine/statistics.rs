//! What `--statistics` shows: the wall time of each stage and how the security fields of
//! the model resolved.

use crate::finding::FieldStates;
use crate::model::field::State;
use crate::model::raw::Format;
use crate::model::Model;
use crate::posture::Subject;
use crate::source::Loc;
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

/// Every AKS/ACR security field of the model with its subject's address, format, state
/// and location (the fields the AKS*/ACR* rules read, diagnostic settings' targets and log
/// categories included).
pub(crate) fn for_each_field(
    model: &Model,
    visit: &mut dyn FnMut(&str, Format, Subject, State, Loc),
) {
    macro_rules! fields {
        ($subject:expr, $address:expr, $format:expr, $kind:expr, [$($field:ident),*]) => {
            $( visit($address, $format, $kind, $subject.$field.state, $subject.$field.at); )*
        };
    }
    for c in &model.clusters {
        fields!(
            c,
            &c.address,
            c.format,
            Subject::Cluster,
            [
                private_cluster,
                authorized_ip_ranges,
                entra_integration,
                entra_managed,
                azure_rbac,
                local_accounts_disabled,
                kubernetes_rbac,
                azure_policy,
                network_policy,
                workload_identity,
                oidc_issuer,
                keyvault_csi,
                keyvault_rotation,
                upgrade_channel,
                node_os_channel,
                kubernetes_version,
                support_plan,
                defender,
                ssh_key,
                outbound_type
            ]
        );
    }
    for p in model
        .clusters
        .iter()
        .flat_map(|c| c.pools.iter())
        .chain(&model.node_pools)
    {
        fields!(
            p,
            &p.address,
            p.format,
            Subject::NodePool,
            [
                system,
                os_type,
                os_sku,
                host_encryption,
                public_ip,
                orchestrator_version,
                taints,
                labels,
                critical_addons_only,
                ssh_access
            ]
        );
    }
    for r in &model.registries {
        fields!(
            r,
            &r.resource.address,
            r.resource.format,
            Subject::Registry,
            [
                sku,
                public_network,
                default_action,
                admin_user,
                anonymous_pull,
                content_trust,
                retention,
                quarantine,
                bypass
            ]
        );
    }
    for d in &model.diagnostic_settings {
        fields!(
            d,
            &d.resource.address,
            d.resource.format,
            Subject::DiagnosticSetting,
            [target, audit]
        );
    }
}
