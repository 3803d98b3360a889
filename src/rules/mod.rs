//! The rule catalogue: one file per rule, registered by one line in `ALL`.

use crate::config::Config;
use crate::finding::Finding;
use crate::model::cluster::{Cluster, NodePool};
use crate::model::field::{Field, State};
use crate::model::raw::Format;
use crate::model::Model;
use crate::remedy::{Change, Literal, Remedy, Target};
use crate::source::Loc;

pub use crate::catalogue;

mod apparmor_unconfined;
mod authorized_ip_range_too_broad;
mod auto_upgrade_disabled;
mod azure_policy_addon_disabled;
mod base_image_mutable;
mod base_image_untrusted_registry;
mod capabilities_not_restricted;
mod defender_cannot_scan_private_registry;
mod defender_for_containers_disabled;
mod defender_for_servers_unneeded;
mod defender_sensor_disabled;
mod egress_not_controlled;
mod entra_azure_rbac_disabled;
mod excessive_rbac;
mod host_encryption_disabled;
mod host_namespace_shared;
mod image_pushed_without_scan;
mod image_runs_as_root;
mod keyvault_csi_disabled;
mod kube_audit_not_collected;
mod kubernetes_rbac_disabled;
mod kubernetes_version_unsupported;
mod landing_zone_without_registry;
mod local_accounts_enabled;
mod mutable_image_reference;
mod namespace_without_network_policy;
mod network_policy_missing;
mod node_os_not_container_optimized;
mod node_os_upgrade_disabled;
mod node_public_ip;
mod node_ssh_enabled;
mod plaintext_secret;
mod privilege_escalation_allowed;
mod privileged_container;
mod public_api_server;
mod public_api_server_unrestricted;
mod public_load_balancer;
pub mod references;
mod registry_admin_user_enabled;
mod registry_anonymous_pull_enabled;
mod registry_image_signing_disabled;
mod registry_public_network_open;
mod registry_quarantine_disabled;
mod registry_retention_disabled;
mod registry_shared_across_landing_zones;
mod registry_sku_without_private_link;
mod registry_vulnerability_assessment_disabled;
mod registry_without_private_link;
mod remote_code_unverified;
mod runs_as_root;
mod seccomp_unconfined;
mod secret_in_image;
mod sensitive_host_path;
mod sensitive_workload_not_isolated;
mod service_account_token_automounted;
pub mod spelling;
mod ssh_in_image;
mod ssh_port_exposed;
mod system_pool_not_isolated;
mod untrusted_registry;
mod workload_identity_disabled;
mod writable_root_filesystem;

pub use catalogue::{FixKind, InputFormat, Meta, Surface, CATALOGUE_IDS, ENGINE_DIAGNOSTICS};
pub use references::references;
pub use untrusted_registry::{registry_host, zone_allows};

/// A rule over the model: its row of the rule table (written in `rules/<ID>.md`) and its
/// check. `rule.id`, `rule.severity`, ... read the row.
pub struct Rule {
    pub meta: &'static Meta,
    pub check: fn(&Context, &mut Vec<Finding>),
}

impl std::ops::Deref for Rule {
    type Target = Meta;
    fn deref(&self) -> &Meta {
        self.meta
    }
}

pub const ALL: &[&Rule] = &[
    &public_api_server_unrestricted::RULE,
    &authorized_ip_range_too_broad::RULE,
    &public_api_server::RULE,
    &entra_azure_rbac_disabled::RULE,
    &local_accounts_enabled::RULE,
    &kubernetes_rbac_disabled::RULE,
    &azure_policy_addon_disabled::RULE,
    &network_policy_missing::RULE,
    &workload_identity_disabled::RULE,
    &keyvault_csi_disabled::RULE,
    &auto_upgrade_disabled::RULE,
    &node_os_upgrade_disabled::RULE,
    &kubernetes_version_unsupported::RULE,
    &defender_sensor_disabled::RULE,
    &node_ssh_enabled::RULE,
    &node_os_not_container_optimized::RULE,
    &host_encryption_disabled::RULE,
    &system_pool_not_isolated::RULE,
    &kube_audit_not_collected::RULE,
    &node_public_ip::RULE,
    &egress_not_controlled::RULE,
    &registry_without_private_link::RULE,
    &registry_public_network_open::RULE,
    &registry_sku_without_private_link::RULE,
    &registry_admin_user_enabled::RULE,
    &registry_anonymous_pull_enabled::RULE,
    &registry_image_signing_disabled::RULE,
    &registry_retention_disabled::RULE,
    &registry_quarantine_disabled::RULE,
    &landing_zone_without_registry::RULE,
    &registry_shared_across_landing_zones::RULE,
    &defender_for_containers_disabled::RULE,
    &registry_vulnerability_assessment_disabled::RULE,
    &defender_cannot_scan_private_registry::RULE,
    &defender_for_servers_unneeded::RULE,
    &privileged_container::RULE,
    &privilege_escalation_allowed::RULE,
    &runs_as_root::RULE,
    &writable_root_filesystem::RULE,
    &seccomp_unconfined::RULE,
    &apparmor_unconfined::RULE,
    &capabilities_not_restricted::RULE,
    &host_namespace_shared::RULE,
    &sensitive_host_path::RULE,
    &untrusted_registry::RULE,
    &mutable_image_reference::RULE,
    &plaintext_secret::RULE,
    &ssh_port_exposed::RULE,
    &namespace_without_network_policy::RULE,
    &service_account_token_automounted::RULE,
    &excessive_rbac::RULE,
    &public_load_balancer::RULE,
    &sensitive_workload_not_isolated::RULE,
    &image_runs_as_root::RULE,
    &ssh_in_image::RULE,
    &base_image_untrusted_registry::RULE,
    &base_image_mutable::RULE,
    &secret_in_image::RULE,
    &remote_code_unverified::RULE,
    &image_pushed_without_scan::RULE,
];

/// The documentation of a rule or engine diagnostic, by ID or slug.
pub fn doc(id: &str) -> Option<&'static str> {
    catalogue::find(id).map(|m| m.doc)
}

pub use crate::catalogue::surface;

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.slug == id)
}

pub struct Context<'a> {
    pub model: &'a Model,
    /// What `aksguard.toml` sets for the rules (`[api-server]`, `[kubernetes]`, `[build]`...).
    pub config: &'a Config,
}

/// The subject of a finding: where its resource address, file and zone come from.
pub trait Subject {
    fn address(&self) -> &str;
    fn format(&self) -> Format;
    fn is_pool(&self) -> bool {
        false
    }
}

impl Subject for Cluster {
    fn address(&self) -> &str {
        &self.address
    }
    fn format(&self) -> Format {
        self.format
    }
}

impl Subject for NodePool {
    fn address(&self) -> &str {
        &self.address
    }
    fn format(&self) -> Format {
        self.format
    }
    fn is_pool(&self) -> bool {
        true
    }
}

impl Rule {
    /// A finding anchored on a field: the attribute when written, the enclosing block when
    /// absent (with the default named), plus where a variable or parameter value came from.
    pub fn at_field<T>(
        &'static self,
        subject: &dyn Subject,
        field: &Field<T>,
        message: String,
        help: String,
    ) -> Finding {
        let label = match field.state {
            State::Default => format!(
                "`{}` is absent here: {}",
                field.attribute, field.default_source
            ),
            _ => format!("`{}` set here", field.attribute),
        };
        let mut finding = self.at(subject, field.at, message, label, help);
        if let Some((loc, origin)) = field.written_elsewhere() {
            finding.notes.push((loc, format!("value from {origin}")));
        }
        finding
    }

    pub fn at(
        &'static self,
        subject: &dyn Subject,
        at: Loc,
        message: String,
        label: String,
        help: String,
    ) -> Finding {
        self.on_address(subject.address(), at, message, label, help)
    }

    /// A finding on a resource known only by its address (a Dockerfile stage, a pipeline job).
    pub fn on_address(
        &'static self,
        address: &str,
        at: Loc,
        message: String,
        label: String,
        help: String,
    ) -> Finding {
        Finding::new(self.meta, at, message, label, help, address.to_string())
    }
}

/// Every Linux node pool of the model: inline pools of each cluster, then separate pools.
pub fn all_pools(model: &Model) -> impl Iterator<Item = &NodePool> {
    model
        .clusters
        .iter()
        .flat_map(|c| c.pools.iter())
        .chain(model.node_pools.iter())
}

pub fn is_linux(pool: &NodePool) -> bool {
    // An unknown OS type could be Windows: do not guess.
    pool.os_type
        .known()
        .is_some_and(|t| t.eq_ignore_ascii_case("Linux"))
}

/// The common shape of a cluster rule: a boolean setting that must be on (`help` says how,
/// in the cluster's format, see [`spelling`]).
pub fn report_disabled(
    ctx: &Context,
    out: &mut Vec<Finding>,
    rule: &'static Rule,
    field: fn(&Cluster) -> &Field<bool>,
    message: &str,
    help: fn(&Cluster) -> String,
    fixable: bool,
) {
    for cluster in &ctx.model.clusters {
        let value = field(cluster);
        if value.known() == Some(&false) {
            let help = help(cluster);
            // The fix writes where the value comes from: the title says so.
            let title = match value.written_elsewhere() {
                Some((_, origin)) => format!("Set the {origin} to `true`"),
                None => help.clone(),
            };
            let remedy =
                fixable.then(|| set_field(cluster, value, true.into(), true.into(), &title));
            out.push(
                rule.at_field(cluster, value, message.to_string(), help)
                    .with_remedy(remedy.flatten()),
            );
        }
    }
}

/// The remedy that writes one literal into a field, spelled for the subject's format.
pub fn set_field<T>(
    subject: &dyn Subject,
    field: &Field<T>,
    terraform: Literal,
    arm: Literal,
    title: &str,
) -> Option<Remedy> {
    let value = match subject.format() {
        Format::Terraform => terraform,
        _ => arm,
    };
    Remedy::new(title, vec![change_for(field, value)])
}

/// The change that makes `field` hold `value`; none for an unknown field (its expression is
/// not ours to overwrite blindly).
pub fn change_for<T>(field: &Field<T>, value: Literal) -> Option<Change> {
    let target = match field.state {
        State::Set => Target::Written {
            at: field.at,
            written: field.written,
            origin: field.origin.clone(),
        },
        State::Default => Target::Absent {
            anchor: field.at,
            path: field.attribute.to_string(),
        },
        State::Unknown => return None,
    };
    Some(Change { target, value })
}

impl Subject for crate::model::Resource {
    fn address(&self) -> &str {
        &self.address
    }
    fn format(&self) -> Format {
        self.format
    }
}

/// Is the zone of this index a `corp` landing zone?
pub fn corp_zone(model: &Model, zone: usize) -> bool {
    model.zones.get(zone).is_some_and(|z| z.corp)
}

pub fn zone_name(model: &Model, zone: usize) -> &str {
    model
        .zones
        .get(zone)
        .map(|z| z.name.as_str())
        .unwrap_or("?")
}

impl Subject for crate::model::workload::Object {
    fn address(&self) -> &str {
        &self.address
    }
    fn format(&self) -> Format {
        Format::Kubernetes
    }
}

impl Rule {
    /// A finding on a Kubernetes object, carrying the helm template it was rendered from.
    pub fn on_object(
        &'static self,
        object: &crate::model::workload::Object,
        at: Loc,
        message: String,
        label: &str,
        help: &str,
    ) -> Finding {
        let mut finding = self.at(object, at, message, label.to_string(), help.to_string());
        finding.source = object.source.clone();
        finding
    }
}

/// Every container of every workload, with its workload and object.
pub fn containers(
    model: &Model,
) -> impl Iterator<
    Item = (
        &crate::model::workload::Workload,
        &crate::model::workload::Object,
        &crate::model::workload::Container,
    ),
> {
    model.workloads.iter().flat_map(move |w| {
        let object = &model.objects[w.object];
        w.containers.iter().map(move |c| (w, object, c))
    })
}
