//! The AKS/ACR security fields of the model, visited one by one: `--statistics` counts how
//! they resolved and the posture of each landing zone shows what its rules could decide.

use super::field::State;
use super::raw::Format;
use super::Model;
use crate::source::Loc;

/// Whose security field [`for_each_field`] visits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Cluster,
    NodePool,
    Registry,
    DiagnosticSetting,
}

/// Every AKS/ACR security field of the model with its subject's address, format, state
/// and location (the fields the AKS*/ACR* rules read, diagnostic settings' targets and log
/// categories included).
pub fn for_each_field(model: &Model, visit: &mut dyn FnMut(&str, Format, Subject, State, Loc)) {
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
