//! AKS clusters and their node pools, lowered from any format through the fields table.

use super::field::{Field, Reader, State};
use super::fields as f;
use super::raw::{Format, RawResource};
use crate::source::{FileId, Loc};
use crate::value::Value;

pub const TF_CLUSTER: &str = "azurerm_kubernetes_cluster";
pub const TF_NODE_POOL: &str = "azurerm_kubernetes_cluster_node_pool";
pub const ARM_CLUSTER: &str = "Microsoft.ContainerService/managedClusters";
pub const ARM_NODE_POOL: &str = "Microsoft.ContainerService/managedClusters/agentPools";

/// How messages name a resource: its address in Terraform (written by the user); in ARM and
/// Bicep its evaluated name, or, when that is not known offline, the Bicep symbolic name or
/// the `name` expression as written, never an evaluator placeholder (`registries/?`).
pub fn label_of(res: &RawResource) -> String {
    if res.format == Format::Terraform {
        return res.address.clone();
    }
    res.name
        .clone()
        .filter(|n| !n.contains('?'))
        .or_else(|| res.written_name.clone())
        .unwrap_or_else(|| res.address.clone())
}

#[derive(Debug)]
pub struct Cluster {
    pub address: String,
    pub name: Option<String>,
    /// How messages name the cluster (see [`label_of`]).
    pub label: String,
    pub format: Format,
    pub file: FileId,
    pub header: Loc,
    pub provider_major: Option<u8>,
    pub landing_zone: usize,
    /// The unit (Terraform root, ARM template) it was declared in.
    pub unit: usize,
    pub private_cluster: Field<bool>,
    pub authorized_ip_ranges: Field<Vec<Value>>,
    pub entra_integration: Field<bool>,
    pub entra_managed: Field<bool>,
    pub azure_rbac: Field<bool>,
    pub local_accounts_disabled: Field<bool>,
    pub kubernetes_rbac: Field<bool>,
    pub azure_policy: Field<bool>,
    pub network_policy: Field<String>,
    pub workload_identity: Field<bool>,
    pub oidc_issuer: Field<bool>,
    pub keyvault_csi: Field<bool>,
    pub keyvault_rotation: Field<bool>,
    pub upgrade_channel: Field<String>,
    pub node_os_channel: Field<String>,
    pub kubernetes_version: Field<String>,
    pub support_plan: Field<String>,
    pub defender: Field<bool>,
    /// Terraform only: `linux_profile.ssh_key` (azurerm cannot turn SSH off).
    pub ssh_key: Field<bool>,
    /// How pod egress leaves the cluster (`loadBalancer`, `userDefinedRouting`, ...).
    pub outbound_type: Field<String>,
    /// Inline pools; separate pool resources are linked by `NodePool::cluster`.
    pub pools: Vec<NodePool>,
    /// Whether the inline pool list itself is known (a `dynamic` or expression may hide it).
    pub pools_known: bool,
}

#[derive(Debug)]
pub struct NodePool {
    /// Separate resources: their own address; inline pools: the cluster's address.
    pub address: String,
    pub file: FileId,
    pub header: Loc,
    pub format: Format,
    pub name: Option<String>,
    /// How messages name the pool: its name, else how it is written (the Bicep symbol or ARM
    /// expression of a separate pool, `agentPoolProfiles[1]` or `default_node_pool` inline).
    pub label: String,
    pub separate: bool,
    /// Index into `Model::clusters` once linked.
    pub cluster: Option<usize>,
    /// The landing zone of the file that declares it.
    pub landing_zone: usize,
    /// How the pool names its cluster: Terraform address or ARM cluster name.
    pub cluster_ref: Option<String>,
    pub system: Field<bool>,
    pub os_type: Field<String>,
    pub os_sku: Field<String>,
    pub host_encryption: Field<bool>,
    /// Nodes get public IP addresses of their own.
    pub public_ip: Field<bool>,
    pub orchestrator_version: Field<String>,
    pub taints: Field<Vec<Value>>,
    /// The labels written on the pool (Terraform `node_labels`, ARM `nodeLabels`); see
    /// [`NodePool::node_label`] for the labels its nodes really carry.
    pub labels: Field<Vec<(String, String)>>,
    /// Terraform `only_critical_addons_enabled`, or the `CriticalAddonsOnly=true:NoSchedule` taint.
    pub critical_addons_only: Field<bool>,
    /// ARM only: `securityProfile.sshAccess`.
    pub ssh_access: Field<String>,
}

/// A node label as a node selector sees it.
#[derive(Debug, PartialEq, Eq)]
pub enum NodeLabel {
    Value(String),
    Absent,
    /// Written as an expression that cannot be resolved offline, or a label AKS or Kubernetes
    /// sets from facts the model does not hold (VM size, zone, architecture).
    Unknown,
}

/// Labels AKS sets on every node without a prefix, besides `agentpool`.
const AKS_UNPREFIXED_LABELS: &[&str] = &["storageprofile", "storagetier", "accelerator"];

/// A label in a namespace Kubernetes or AKS reserves for the labels they set themselves
/// (`kubernetes.io/arch`, `topology.kubernetes.io/zone`, `kubernetes.azure.com/mode`, ...).
fn is_reserved_label(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once('/') else {
        return AKS_UNPREFIXED_LABELS.contains(&key);
    };
    ["kubernetes.io", "k8s.io", "kubernetes.azure.com"]
        .iter()
        .any(|domain| prefix == *domain || prefix.ends_with(&format!(".{domain}")))
}

impl NodePool {
    /// The value of `key` on the pool's nodes: the pool's own labels, and the ones AKS adds
    /// to every node: `agentpool` and `kubernetes.azure.com/agentpool` (the pool's name) and
    /// `kubernetes.io/os` (from the OS type). Other labels in the reserved namespaces are set
    /// from what the model does not know, so a selector on them cannot be decided.
    pub fn node_label(&self, key: &str) -> NodeLabel {
        let Some(labels) = self.labels.known() else {
            return NodeLabel::Unknown;
        };
        if let Some((_, value)) = labels.iter().find(|(k, _)| k == key) {
            return NodeLabel::Value(value.clone());
        }
        let known = |value: Option<String>| value.map_or(NodeLabel::Unknown, NodeLabel::Value);
        match key {
            "agentpool" | "kubernetes.azure.com/agentpool" => known(self.name.clone()),
            "kubernetes.io/os" => known(self.os_type.known().map(|os| os.to_ascii_lowercase())),
            _ if is_reserved_label(key) => NodeLabel::Unknown,
            _ => NodeLabel::Absent,
        }
    }
}

pub fn lower_cluster(res: &RawResource) -> Cluster {
    let arm = res.format != Format::Terraform;
    let major = res.provider_major;
    let reader = Reader {
        root: &res.body,
        header: res.header,
        arm,
    };
    let mut entra_managed = reader.bool(&f::AAD_MANAGED, major);
    let entra_integration = reader.presence(&f::AAD_BLOCK, major);
    // azurerm 4.x removed `managed`: the block is always managed Entra ID integration.
    if !arm && major.is_none_or(|m| m >= 4) && entra_managed.is_default() {
        entra_managed = Field {
            state: entra_integration.state,
            value: entra_integration.value,
            at: entra_integration.at,
            origin: None,
            written: None,
            attribute: "azure_active_directory_role_based_access_control",
            default_source: f::AAD_MANAGED.source,
            unknown_expr: entra_integration.unknown_expr.clone(),
        };
    }
    let (pools, pools_known) = inline_pools(res, &reader);
    Cluster {
        address: res.address.clone(),
        name: res.name.clone(),
        label: label_of(res),
        format: res.format,
        file: res.file,
        header: res.header,
        provider_major: major,
        landing_zone: 0,
        unit: 0,
        private_cluster: reader.bool(&f::PRIVATE_CLUSTER, major),
        authorized_ip_ranges: reader.list(&f::AUTHORIZED_IP_RANGES, major),
        entra_integration,
        entra_managed,
        azure_rbac: reader.bool(&f::AZURE_RBAC, major),
        local_accounts_disabled: reader.bool(&f::LOCAL_ACCOUNTS_DISABLED, major),
        kubernetes_rbac: reader.bool(&f::KUBERNETES_RBAC, major),
        azure_policy: reader.bool(&f::AZURE_POLICY, major),
        network_policy: reader.string(&f::NETWORK_POLICY, major),
        workload_identity: reader.bool(&f::WORKLOAD_IDENTITY, major),
        oidc_issuer: reader.bool(&f::OIDC_ISSUER, major),
        keyvault_csi: if arm {
            reader.bool(&f::KEYVAULT_CSI, major)
        } else {
            reader.presence(&f::KEYVAULT_CSI, major)
        },
        keyvault_rotation: reader.bool(&f::KEYVAULT_ROTATION, major),
        upgrade_channel: reader.string(&f::UPGRADE_CHANNEL, major),
        node_os_channel: reader.string(&f::NODE_OS_CHANNEL, major),
        kubernetes_version: reader.string(&f::KUBERNETES_VERSION, major),
        support_plan: reader.string(&f::SUPPORT_PLAN, major),
        defender: if arm {
            reader.bool(&f::DEFENDER, major)
        } else {
            reader.presence(&f::DEFENDER, major)
        },
        ssh_key: reader.presence(&f::SSH_KEY, major),
        outbound_type: reader.string(&f::OUTBOUND_TYPE, major),
        pools,
        pools_known,
    }
}

fn inline_pools(res: &RawResource, reader: &Reader) -> (Vec<NodePool>, bool) {
    let arm = res.format != Format::Terraform;
    let mut pools = Vec::new();
    let entries: Vec<(Option<Loc>, &Value)> = if arm {
        match reader.lookup(f::DEFAULT_NODE_POOL.arm[0]) {
            super::field::Lookup::Found { value, .. } => match value.as_list() {
                Some(items) => items.iter().map(|v| (None, v)).collect(),
                None => return (pools, false),
            },
            super::field::Lookup::Absent { .. } => Vec::new(),
            super::field::Lookup::Unknown { .. } => return (pools, false),
        }
    } else {
        res.body
            .entries("default_node_pool")
            .map(|e| (e.key_loc, &e.value))
            .collect()
    };
    let mut known = true;
    for (index, (block_header, value)) in entries.into_iter().enumerate() {
        if value.is_unknown() {
            known = false;
            continue;
        }
        let header = block_header.unwrap_or_else(|| arm_pool_header(value, res.header));
        let pool_reader = Reader {
            root: value,
            header,
            arm,
        };
        let mut pool = lower_pool_fields(res, &pool_reader, res.address.clone(), header, false);
        pool.label = match &pool.name {
            Some(name) => name.clone(),
            None if arm => format!("agentPoolProfiles[{index}]"),
            None => "default_node_pool".to_string(),
        };
        if !arm {
            // The default node pool is always the System pool.
            pool.system = fixed(true, header, "default_node_pool");
        } else if pool.system.is_default() {
            pool.system.value = Some(index == 0);
        }
        pools.push(pool);
    }
    (pools, known)
}

/// An inline ARM pool profile is anchored on its `name` property.
fn arm_pool_header(value: &Value, fallback: Loc) -> Loc {
    value
        .entry_ci("name")
        .and_then(|e| e.key_loc)
        .or(value.loc)
        .unwrap_or(fallback)
}

fn fixed(value: bool, at: Loc, attribute: &'static str) -> Field<bool> {
    Field {
        state: State::Default,
        value: Some(value),
        at,
        origin: None,
        written: None,
        attribute,
        default_source: "",
        unknown_expr: None,
    }
}

pub fn lower_node_pool(res: &RawResource) -> NodePool {
    let arm = res.format != Format::Terraform;
    let root = if arm {
        res.body.get_ci("properties").unwrap_or(&res.body)
    } else {
        &res.body
    };
    let reader = Reader {
        root,
        header: res.header,
        arm,
    };
    let mut pool = lower_pool_fields(res, &reader, res.address.clone(), res.header, true);
    if arm {
        // A child resource's name is `cluster/pool`, at resource level, not under properties.
        pool.name = res
            .name
            .as_deref()
            .map(|n| n.rsplit('/').next().unwrap_or(n).to_string());
    }
    pool.label = match &pool.name {
        Some(name) if !name.contains('?') => name.clone(),
        _ => label_of(res),
    };
    pool.cluster_ref = if arm {
        // `cluster/pool`: the parent is everything before the last segment.
        res.name
            .as_deref()
            .and_then(|n| n.rsplit_once('/'))
            .map(|(cluster, _)| cluster.to_string())
    } else {
        res.body
            .get("kubernetes_cluster_id")
            .and_then(|v| super::reference::terraform_address(v, "id"))
            .map(str::to_string)
    };
    pool
}

fn lower_pool_fields(
    res: &RawResource,
    reader: &Reader,
    address: String,
    header: Loc,
    separate: bool,
) -> NodePool {
    let major = res.provider_major;
    let mode = reader.string(&f::POOL_MODE, major);
    let system = Field {
        state: mode.state,
        value: mode
            .value
            .as_deref()
            .map(|m| m.eq_ignore_ascii_case("System")),
        at: mode.at,
        origin: mode.origin.clone(),
        written: mode.written,
        attribute: mode.attribute,
        default_source: mode.default_source,
        unknown_expr: mode.unknown_expr.clone(),
    };
    let taints = reader.list(&f::POOL_TAINTS, major);
    let critical_addons_only = if reader.arm {
        critical_taint(&taints)
    } else {
        let explicit = reader.bool(&f::POOL_CRITICAL_ADDONS_ONLY, major);
        let tainted = critical_taint(&taints);
        if explicit.is_default() && tainted.known() == Some(&true) {
            tainted
        } else {
            explicit
        }
    };
    NodePool {
        address,
        file: res.file,
        header,
        format: res.format,
        name: reader.string(&f::POOL_NAME, major).value,
        label: String::new(),
        separate,
        cluster: None,
        landing_zone: 0,
        cluster_ref: None,
        system,
        os_type: reader.string(&f::POOL_OS_TYPE, major),
        os_sku: reader.string(&f::POOL_OS_SKU, major),
        host_encryption: reader.bool(&f::POOL_HOST_ENCRYPTION, major),
        public_ip: reader.bool(&f::POOL_PUBLIC_IP, major),
        orchestrator_version: reader.string(&f::POOL_VERSION, major),
        critical_addons_only,
        taints,
        labels: reader.string_map(&f::POOL_LABELS, major),
        ssh_access: reader.string(&f::POOL_SSH_ACCESS, major),
    }
}

pub const CRITICAL_ADDONS_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";

fn critical_taint(taints: &Field<Vec<Value>>) -> Field<bool> {
    let mut field = Field {
        state: taints.state,
        value: None,
        at: taints.at,
        origin: taints.origin.clone(),
        written: taints.written,
        attribute: taints.attribute,
        default_source: f::POOL_CRITICAL_ADDONS_ONLY.source,
        unknown_expr: taints.unknown_expr.clone(),
    };
    if let Some(list) = taints.known() {
        let found = list.iter().any(|t| {
            t.as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(CRITICAL_ADDONS_TAINT))
        });
        if !found && list.iter().any(Value::has_unknown) {
            field.state = State::Unknown;
        } else {
            field.value = Some(found);
        }
    }
    field
}
