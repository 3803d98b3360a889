//! The typed resource model every rule reads, whatever the source format.

pub mod cluster;
pub mod defender;
pub mod diagnostics;
pub mod field;
pub mod fields;
pub mod policy;
pub mod private_endpoint;
pub mod raw;
pub mod reference;
pub mod registry;
pub mod role_assignment;
pub mod security_fields;
pub mod workload;

use crate::source::{FileId, Loc};
use crate::value::Value;
use cluster::{Cluster, NodePool};
use defender::Pricing;
use policy::PolicyAssignment;
use private_endpoint::PrivateEndpoint;
use raw::{Format, RawResource};
use rayon::prelude::*;
use reference::{parse_resource_id, Reference};
use registry::{Registry, RegistryData};
use role_assignment::RoleAssignment;
use std::collections::{HashMap, HashSet};

/// A landing zone: from `[[landing-zone]]`, or the scan root when there is no config.
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub corp: bool,
    /// Lower-case subscription ID.
    pub subscription: Option<String>,
}

/// The resource a registry, endpoint, role assignment, pricing, policy assignment or
/// diagnostic setting was lowered from: how findings name it, where it is declared, and the
/// unit and zone linking looks in.
#[derive(Clone, Debug)]
pub struct Resource {
    pub address: String,
    pub format: Format,
    pub header: Loc,
    pub unit: usize,
    pub zone: usize,
}

impl Resource {
    pub fn new(res: &RawResource, unit: usize, zone: usize) -> Resource {
        Resource {
            address: res.address.clone(),
            format: res.format,
            header: res.header,
            unit,
            zone,
        }
    }
}

#[derive(Default, Debug)]
pub struct Model {
    pub clusters: Vec<Cluster>,
    /// Separate node-pool resources, linked to `clusters` by index.
    pub node_pools: Vec<NodePool>,
    pub registries: Vec<Registry>,
    pub registry_data: Vec<RegistryData>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub role_assignments: Vec<RoleAssignment>,
    pub pricings: Vec<Pricing>,
    pub policy_assignments: Vec<PolicyAssignment>,
    pub diagnostic_settings: Vec<diagnostics::DiagnosticSetting>,
    /// Terraform azurerm provider configurations: (unit, `azurerm[.alias]`) -> subscription.
    pub providers: HashMap<(usize, String), Option<String>>,
    /// Terraform resource groups: (unit, address) -> lower-case name.
    pub resource_groups: HashMap<(usize, String), String>,
    /// Kubernetes objects of manifests and rendered charts.
    pub objects: Vec<workload::Object>,
    /// The workload objects among them, with their pod specs.
    pub workloads: Vec<workload::Workload>,
    /// Dockerfiles with their build stages.
    pub dockerfiles: Vec<crate::build::Dockerfile>,
    /// CI pipelines (GitHub Actions, Azure Pipelines) with their jobs.
    pub pipelines: Vec<crate::build::Pipeline>,
    /// Zones that declare a virtual machine or scale set of their own (not AKS nodes).
    pub zones_with_vms: HashSet<usize>,
    pub zones: Vec<Zone>,
    /// Number of resources of any type the adapters produced.
    pub resource_count: usize,
    pub index: Index,
}

/// Lookups built once after lowering, so linking and rules stay linear in the scan size
/// (a 5,000-zone scan has tens of thousands of registries, endpoints and objects).
#[derive(Default, Debug)]
pub struct Index {
    registry_by_address: HashMap<(usize, String), usize>,
    registries_by_name: HashMap<String, Vec<usize>>,
    registry_data_by_address: HashMap<(usize, String), usize>,
    cluster_by_address: HashMap<(usize, String), usize>,
    clusters_by_name: HashMap<String, Vec<usize>>,
    /// Clusters of every format by lower-case name, for resource IDs.
    clusters_by_any_name: HashMap<String, Vec<usize>>,
    zone_by_subscription: HashMap<String, usize>,
    /// Separate node pools of each cluster.
    pub pools_by_cluster: HashMap<usize, Vec<usize>>,
    pub registries_by_zone: HashMap<usize, Vec<usize>>,
    pub clusters_by_zone: HashMap<usize, Vec<usize>>,
    pub pricings_by_zone: HashMap<usize, Vec<usize>>,
    pub policy_assignments_by_zone: HashMap<usize, Vec<usize>>,
    /// Kubernetes objects by (zone, kind, namespace, name).
    pub objects: HashMap<(usize, String, String, String), usize>,
    /// NetworkPolicies by (zone, namespace).
    pub network_policies: HashMap<(usize, String), Vec<usize>>,
}

impl Index {
    /// The Kubernetes objects' lookups (the most entries) are built beside the others.
    fn build(model: &Model) -> Index {
        let ((objects, network_policies), mut index) =
            rayon::join(|| Index::objects(&model.objects), || Index::azure(model));
        index.objects = objects;
        index.network_policies = network_policies;
        index
    }

    #[allow(clippy::type_complexity)]
    fn objects(
        objects: &[workload::Object],
    ) -> (
        HashMap<(usize, String, String, String), usize>,
        HashMap<(usize, String), Vec<usize>>,
    ) {
        let mut by_name = HashMap::with_capacity(objects.len());
        let mut network_policies: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_name
                .entry((o.zone, o.kind.clone(), o.namespace.clone(), o.name.clone()))
                .or_insert(i);
            if o.kind == "NetworkPolicy" {
                network_policies
                    .entry((o.zone, o.namespace.clone()))
                    .or_default()
                    .push(i);
            }
        }
        (by_name, network_policies)
    }

    fn azure(model: &Model) -> Index {
        let mut index = Index::default();
        for (i, r) in model.registries.iter().enumerate() {
            if r.resource.format == Format::Terraform {
                index
                    .registry_by_address
                    .insert((r.resource.unit, r.resource.address.clone()), i);
            }
            if let Some(name) = &r.name {
                index
                    .registries_by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
            index
                .registries_by_zone
                .entry(r.resource.zone)
                .or_default()
                .push(i);
        }
        for (i, d) in model.registry_data.iter().enumerate() {
            index
                .registry_data_by_address
                .insert((d.unit, d.address.clone()), i);
        }
        for (i, c) in model.clusters.iter().enumerate() {
            if let Some(name) = &c.name {
                index
                    .clusters_by_any_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
            if c.format == Format::Terraform {
                index
                    .cluster_by_address
                    .insert((c.unit, c.address.clone()), i);
            } else if let Some(name) = &c.name {
                index
                    .clusters_by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
            index
                .clusters_by_zone
                .entry(c.landing_zone)
                .or_default()
                .push(i);
        }
        for (i, z) in model.zones.iter().enumerate() {
            if let Some(sub) = &z.subscription {
                index.zone_by_subscription.entry(sub.clone()).or_insert(i);
            }
        }
        for (i, p) in model.pricings.iter().enumerate() {
            index
                .pricings_by_zone
                .entry(p.resource.zone)
                .or_default()
                .push(i);
        }
        for (i, p) in model.policy_assignments.iter().enumerate() {
            index
                .policy_assignments_by_zone
                .entry(p.resource.zone)
                .or_default()
                .push(i);
        }
        index
    }
}

/// Where a reference to a registry leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryLink {
    Registry(usize),
    /// No registry of that name in the scan, but its subscription belongs to this zone.
    Zone(usize),
    Unresolved,
}

/// One resource as the model holds it (the large ones boxed, so a list of them stays small).
enum Lowered {
    Nothing,
    RegistryData(RegistryData),
    Provider((usize, String), Option<String>),
    /// A Kubernetes object and, when it runs pods, its workload (whose object index is set
    /// when the object takes its place).
    Object(workload::Object, Option<workload::Workload>),
    Cluster(Box<Cluster>),
    NodePool(Box<NodePool>),
    Registry(Box<Registry>),
    PrivateEndpoint(PrivateEndpoint),
    RoleAssignment(RoleAssignment),
    Pricing(Pricing),
    DiagnosticSetting(diagnostics::DiagnosticSetting),
    PolicyAssignment(PolicyAssignment),
    ResourceGroup((usize, String), String),
    VirtualMachine(usize),
}

/// The lowered resources not taken by [`take_in_order`], by kind, in their order.
#[derive(Default)]
struct Rest {
    registry_data: Vec<RegistryData>,
    providers: Vec<((usize, String), Option<String>)>,
    private_endpoints: Vec<PrivateEndpoint>,
    role_assignments: Vec<RoleAssignment>,
    pricings: Vec<Pricing>,
    diagnostic_settings: Vec<diagnostics::DiagnosticSetting>,
    policy_assignments: Vec<PolicyAssignment>,
    resource_groups: Vec<((usize, String), String)>,
    zones_with_vms: Vec<usize>,
}

impl Rest {
    fn with(mut self, item: Lowered) -> Rest {
        match item {
            Lowered::Nothing => {}
            Lowered::RegistryData(data) => self.registry_data.push(data),
            Lowered::Provider(key, subscription) => self.providers.push((key, subscription)),
            Lowered::Object(..)
            | Lowered::Cluster(_)
            | Lowered::NodePool(_)
            | Lowered::Registry(_) => {
                unreachable!("taken into their lists before")
            }
            Lowered::PrivateEndpoint(p) => self.private_endpoints.push(p),
            Lowered::RoleAssignment(r) => self.role_assignments.push(r),
            Lowered::Pricing(p) => self.pricings.push(p),
            Lowered::DiagnosticSetting(d) => self.diagnostic_settings.push(d),
            Lowered::PolicyAssignment(p) => self.policy_assignments.push(p),
            Lowered::ResourceGroup(key, name) => self.resource_groups.push((key, name)),
            Lowered::VirtualMachine(zone) => self.zones_with_vms.push(zone),
        }
        self
    }

    fn append_to(self, model: &mut Model) {
        model.registry_data.extend(self.registry_data);
        model.providers.extend(self.providers);
        model.private_endpoints.extend(self.private_endpoints);
        model.role_assignments.extend(self.role_assignments);
        model.pricings.extend(self.pricings);
        model.diagnostic_settings.extend(self.diagnostic_settings);
        model.policy_assignments.extend(self.policy_assignments);
        model.resource_groups.extend(self.resource_groups);
        model.zones_with_vms.extend(self.zones_with_vms);
    }
}

/// What `pick` takes of the lowered resources (see [`taken`]), in their order: a parallel
/// pass, as `collect` keeps the order.
fn take_in_order<T: Send>(
    lowered: &mut [Lowered],
    pick: impl Fn(&mut Lowered) -> Option<T> + Sync,
) -> Vec<T> {
    lowered.par_iter_mut().filter_map(&pick).collect()
}

/// What `slot` holds, when `is` says it is of the kind wanted, leaving `Nothing` there.
fn taken(slot: &mut Lowered, is: fn(&Lowered) -> bool) -> Option<Lowered> {
    is(slot).then(|| std::mem::replace(slot, Lowered::Nothing))
}

/// Lowers one resource and releases its body: nothing reads it after the model is built,
/// and memory freed in the parallel stage that read it is what the next lowerings reuse.
/// A Kubernetes object keeps the body itself: moved, not copied.
fn lower_releasing(res: &mut RawResource, unit: usize, zone: usize) -> Lowered {
    let lowered = lower(res, unit, zone);
    res.body = Value::null();
    lowered
}

fn lower(res: &mut RawResource, unit: usize, zone: usize) -> Lowered {
    let kind = res.kind.as_str();
    let is = |tf: &str, arm: &str| kind == tf || kind.eq_ignore_ascii_case(arm);
    if kind == registry::TF_REGISTRY_DATA {
        let provider = match res.body.get("provider").map(|v| &v.kind) {
            Some(crate::value::Kind::Unknown(text)) => text.trim().to_string(),
            _ => "azurerm".to_string(),
        };
        return Lowered::RegistryData(RegistryData {
            address: res.address.clone(),
            unit,
            name: res.name.clone(),
            provider,
        });
    }
    if kind == "provider.azurerm" {
        let subscription = res
            .body
            .get("subscription_id")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        return Lowered::Provider((unit, res.address.clone()), subscription);
    }
    if res.existing {
        return Lowered::Nothing;
    }
    if res.format == Format::Kubernetes {
        let body = std::mem::replace(&mut res.body, Value::null());
        let object = workload::lower_object(res, body, zone);
        let workload = workload::lower_workload(&object, 0);
        return Lowered::Object(object, workload);
    }
    if is(cluster::TF_CLUSTER, cluster::ARM_CLUSTER) {
        let mut c = cluster::lower_cluster(res);
        c.landing_zone = zone;
        c.unit = unit;
        for pool in &mut c.pools {
            pool.landing_zone = zone;
        }
        Lowered::Cluster(Box::new(c))
    } else if is(cluster::TF_NODE_POOL, cluster::ARM_NODE_POOL) {
        let mut pool = cluster::lower_node_pool(res);
        pool.landing_zone = zone;
        Lowered::NodePool(Box::new(pool))
    } else if is(registry::TF_REGISTRY, registry::ARM_REGISTRY) {
        Lowered::Registry(Box::new(registry::lower_registry(res, unit, zone)))
    } else if is(
        private_endpoint::TF_PRIVATE_ENDPOINT,
        private_endpoint::ARM_PRIVATE_ENDPOINT,
    ) {
        Lowered::PrivateEndpoint(private_endpoint::lower_private_endpoint(res, unit, zone))
    } else if is(
        role_assignment::TF_ROLE_ASSIGNMENT,
        role_assignment::ARM_ROLE_ASSIGNMENT,
    ) || (res.format != Format::Terraform
        && kind
            .to_ascii_lowercase()
            .ends_with("/providers/roleassignments"))
    {
        Lowered::RoleAssignment(role_assignment::lower_role_assignment(res, unit, zone))
    } else if is(defender::TF_PRICING, defender::ARM_PRICING) {
        Lowered::Pricing(defender::lower_pricing(res, unit, zone))
    } else if diagnostics::is_diagnostic_setting(kind) {
        Lowered::DiagnosticSetting(diagnostics::lower_diagnostic_setting(res, unit, zone))
    } else if policy::is_policy_assignment(kind) {
        Lowered::PolicyAssignment(policy::lower_policy_assignment(res, unit, zone))
    } else if kind == "azurerm_resource_group" {
        match &res.name {
            Some(name) => {
                Lowered::ResourceGroup((unit, res.address.clone()), name.to_ascii_lowercase())
            }
            None => Lowered::Nothing,
        }
    } else if defender::is_virtual_machine(kind) {
        Lowered::VirtualMachine(zone)
    } else {
        Lowered::Nothing
    }
}

impl Model {
    /// `unit_of` names the unit a file belongs to (a Terraform root directory, an ARM
    /// template): Terraform addresses are only unique within their root.
    pub fn build(
        resources: &mut [RawResource],
        unit_of: impl Fn(FileId) -> usize + Sync,
        zone_of: impl Fn(FileId) -> usize + Sync,
        zones: Vec<Zone>,
    ) -> Model {
        let mut model = Model {
            zones,
            resource_count: resources.len(),
            ..Model::default()
        };
        // Each resource is lowered on its own, in parallel; the model takes them in order.
        let mut lowered: Vec<Lowered> = resources
            .par_iter_mut()
            .map(|res| lower_releasing(res, unit_of(res.file), zone_of(res.file)))
            .collect();
        // The large and numerous kinds are moved into their lists in parallel, in order: on
        // one thread, copying 100,000 lowered resources into lists the kernel first has to
        // page in took longer than lowering them.
        let (objects, workloads): (Vec<workload::Object>, Vec<Option<workload::Workload>>) =
            take_in_order(&mut lowered, |slot| {
                match taken(slot, |l| matches!(l, Lowered::Object(..)))? {
                    Lowered::Object(object, workload) => Some((object, workload)),
                    _ => None,
                }
            })
            .into_par_iter()
            .unzip();
        model.objects = objects;
        model.workloads = workloads
            .into_par_iter()
            .enumerate()
            .filter_map(|(index, workload)| {
                workload.map(|mut w| {
                    w.object = index;
                    w
                })
            })
            .collect();
        model.clusters = take_in_order(&mut lowered, |slot| {
            match taken(slot, |l| matches!(l, Lowered::Cluster(_)))? {
                Lowered::Cluster(c) => Some(*c),
                _ => None,
            }
        });
        model
            .clusters
            .par_iter_mut()
            .enumerate()
            .for_each(|(index, cluster)| {
                for pool in &mut cluster.pools {
                    pool.cluster = Some(index);
                }
            });
        model.node_pools = take_in_order(&mut lowered, |slot| {
            match taken(slot, |l| matches!(l, Lowered::NodePool(_)))? {
                Lowered::NodePool(pool) => Some(*pool),
                _ => None,
            }
        });
        model.registries = take_in_order(&mut lowered, |slot| {
            match taken(slot, |l| matches!(l, Lowered::Registry(_)))? {
                Lowered::Registry(r) => Some(*r),
                _ => None,
            }
        });
        // The rest is sorted by kind in parallel pieces, which keep their order: a later
        // provider or resource group of the same key still wins.
        let pieces: Vec<Rest> = lowered
            .into_par_iter()
            .fold(Rest::default, Rest::with)
            .collect();
        for piece in pieces {
            piece.append_to(&mut model);
        }
        model.index = Index::build(&model);
        model.link_node_pools(&unit_of);
        model.link_registries();
        model.link_diagnostic_settings();
        model
    }

    /// Each diagnostic setting to the cluster its target names: a Terraform address of the
    /// same root, or a resource ID matched by cluster name (the same unit first, then the
    /// same zone). A target that names a cluster aksguard cannot find in the root (a data
    /// source, a module output, a placeholder name) becomes unknown: it may be any cluster.
    fn link_diagnostic_settings(&mut self) {
        for i in 0..self.diagnostic_settings.len() {
            let setting = &self.diagnostic_settings[i];
            let (unit, zone) = (setting.resource.unit, setting.resource.zone);
            let mut undecided = None;
            let cluster = match &setting.target.value {
                Some(Reference::Address(address)) => {
                    let found = self
                        .index
                        .cluster_by_address
                        .get(&(unit, address.clone()))
                        .copied();
                    if found.is_none() && may_be_cluster_address(address) {
                        undecided = Some(format!("{address}.id"));
                    }
                    found
                }
                Some(Reference::Id(id)) => match parse_resource_id(id) {
                    Some(parsed) if parsed.kind.eq_ignore_ascii_case(cluster::ARM_CLUSTER) => {
                        let found = self.cluster_named(&parsed.name, unit, zone);
                        // A cluster of the zone whose name is not known offline may be it.
                        let unnamed = || {
                            let zone_clusters = Model::in_zone(&self.index.clusters_by_zone, zone);
                            zone_clusters
                                .iter()
                                .any(|&c| self.clusters[c].name.is_none())
                                || self
                                    .clusters
                                    .iter()
                                    .any(|c| c.unit == unit && c.name.is_none())
                        };
                        if found.is_none() && unnamed() {
                            undecided = Some(id.clone());
                        }
                        found
                    }
                    // Another kind of resource, or a cluster outside the scan.
                    Some(_) => None,
                    None => {
                        if id.to_ascii_lowercase().contains("/managedclusters/") {
                            undecided = Some(id.clone());
                        }
                        None
                    }
                },
                _ => None,
            };
            let setting = &mut self.diagnostic_settings[i];
            setting.cluster = cluster;
            if let Some(expr) = undecided {
                setting.target.state = field::State::Unknown;
                setting.target.unknown_expr = Some(expr);
            }
        }
    }

    /// A cluster of any format by name: the same unit first, then the same zone, then any.
    fn cluster_named(&self, name: &str, unit: usize, zone: usize) -> Option<usize> {
        let named = self
            .index
            .clusters_by_any_name
            .get(&name.to_ascii_lowercase())?;
        self.nearest_cluster(named, unit, Some(zone))
    }

    /// Of clusters sharing a name, the one in `unit`, else in `zone`, else the first.
    fn nearest_cluster(&self, named: &[usize], unit: usize, zone: Option<usize>) -> Option<usize> {
        named
            .iter()
            .find(|&&c| self.clusters[c].unit == unit)
            .or_else(|| {
                named
                    .iter()
                    .find(|&&c| Some(self.clusters[c].landing_zone) == zone)
            })
            .or(named.first())
            .copied()
    }

    fn link_node_pools(&mut self, unit_of: &impl Fn(FileId) -> usize) {
        for p in 0..self.node_pools.len() {
            let pool = &self.node_pools[p];
            let unit = unit_of(pool.file);
            let Some(reference) = &pool.cluster_ref else {
                continue;
            };
            let cluster = match pool.format {
                Format::Terraform => self
                    .index
                    .cluster_by_address
                    .get(&(unit, reference.clone()))
                    .copied(),
                // Prefer a cluster of the same unit (ARM names repeat across templates).
                _ => self.arm_cluster(reference, unit, None),
            };
            self.node_pools[p].cluster = cluster;
            if let Some(c) = cluster {
                self.index.pools_by_cluster.entry(c).or_default().push(p);
            }
        }
    }

    /// An ARM cluster by name: the same unit first, then the same zone, then any.
    fn arm_cluster(&self, name: &str, unit: usize, zone: Option<usize>) -> Option<usize> {
        let named = self
            .index
            .clusters_by_name
            .get(&name.to_ascii_lowercase())?;
        self.nearest_cluster(named, unit, zone)
    }

    fn link_registries(&mut self) {
        let mut links = Vec::new();
        for (e, endpoint) in self.private_endpoints.iter().enumerate() {
            for (c, connection) in endpoint.connections.iter().enumerate() {
                if let RegistryLink::Registry(r) = self.resolve_registry(
                    &connection.target,
                    endpoint.resource.unit,
                    endpoint.resource.zone,
                ) {
                    links.push((e, c, r));
                }
            }
        }
        for (e, c, r) in links {
            self.private_endpoints[e].connections[c].registry = Some(r);
        }
        for i in 0..self.role_assignments.len() {
            let assignment = &self.role_assignments[i];
            let link = self.resolve_registry(
                &assignment.scope,
                assignment.resource.unit,
                assignment.resource.zone,
            );
            let cluster = match &assignment.kubelet_of {
                Some(reference::ClusterRef::Address(address)) => self
                    .index
                    .cluster_by_address
                    .get(&(assignment.resource.unit, address.clone()))
                    .copied(),
                Some(reference::ClusterRef::Name(name)) => self.arm_cluster(
                    name,
                    assignment.resource.unit,
                    Some(assignment.resource.zone),
                ),
                None => None,
            };
            let assignment = &mut self.role_assignments[i];
            assignment.cluster = cluster;
            match link {
                RegistryLink::Registry(r) => {
                    assignment.registry = Some(r);
                    assignment.registry_zone = Some(self.registries[r].resource.zone);
                }
                RegistryLink::Zone(z) => assignment.registry_zone = Some(z),
                RegistryLink::Unresolved => {}
            }
        }
    }

    /// A reference to a registry: a Terraform address in the same root (or a data source
    /// naming it), or a resource ID matched by registry name (case-insensitive) preferring
    /// the same unit, then the same zone; failing that, by the ID's subscription.
    pub fn resolve_registry(
        &self,
        reference: &Reference,
        unit: usize,
        zone: usize,
    ) -> RegistryLink {
        let (name, subscription) = match reference {
            Reference::Address(address) => {
                let key = (unit, address.clone());
                if let Some(&r) = self.index.registry_by_address.get(&key) {
                    return RegistryLink::Registry(r);
                }
                let data = (self.index.registry_data_by_address.get(&key))
                    .map(|&d| &self.registry_data[d]);
                match data {
                    Some(RegistryData {
                        name: Some(name),
                        provider,
                        ..
                    }) => {
                        let subscription = self
                            .providers
                            .get(&(unit, provider.clone()))
                            .cloned()
                            .flatten();
                        (name.clone(), subscription)
                    }
                    _ => return RegistryLink::Unresolved,
                }
            }
            Reference::Id(id) => match parse_resource_id(id) {
                Some(parsed) if parsed.kind.eq_ignore_ascii_case(registry::ARM_REGISTRY) => {
                    (parsed.name, parsed.subscription)
                }
                _ => return RegistryLink::Unresolved,
            },
            Reference::Unknown => return RegistryLink::Unresolved,
        };
        let named: &[usize] = self
            .index
            .registries_by_name
            .get(&name.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let pick = named
            .iter()
            .find(|&&i| self.registries[i].resource.unit == unit)
            .or_else(|| {
                named
                    .iter()
                    .find(|&&i| self.registries[i].resource.zone == zone)
            })
            .or(named.first());
        if let Some(&r) = pick {
            return RegistryLink::Registry(r);
        }
        match subscription {
            Some(sub) => self
                .index
                .zone_by_subscription
                .get(&sub)
                .map(|&z| RegistryLink::Zone(z))
                .unwrap_or(RegistryLink::Unresolved),
            None => RegistryLink::Unresolved,
        }
    }

    /// The lower-case name of a Terraform resource group reference, when known.
    pub fn group_name(&self, unit: usize, group: &reference::GroupRef) -> Option<String> {
        match group {
            reference::GroupRef::Name(name) => Some(name.clone()),
            reference::GroupRef::Address(address) => {
                self.resource_groups.get(&(unit, address.clone())).cloned()
            }
        }
    }

    /// Separate pool resources linked to this cluster.
    pub fn pools_of(&self, cluster: usize) -> impl Iterator<Item = &NodePool> {
        self.index
            .pools_by_cluster
            .get(&cluster)
            .into_iter()
            .flatten()
            .map(|&p| &self.node_pools[p])
    }

    /// A `Namespace` object of the zone (cluster-scoped: indexed under `default`).
    pub fn namespace_object(&self, zone: usize, name: &str) -> Option<&workload::Object> {
        let key = (
            zone,
            "Namespace".to_string(),
            "default".to_string(),
            name.to_string(),
        );
        self.index.objects.get(&key).map(|&i| &self.objects[i])
    }

    /// Indices of the items of one zone in a per-zone index.
    pub fn in_zone(map: &HashMap<usize, Vec<usize>>, zone: usize) -> &[usize] {
        map.get(&zone).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Could this Terraform address (`module.m.type.name[key]`) be a cluster: a cluster
/// resource or data source, or something aksguard cannot see the type of?
fn may_be_cluster_address(address: &str) -> bool {
    let mut rest = address;
    // `module.<name>.` or `module.<name>[<key>].` prefixes.
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let mut tail = &after[end..];
        if tail.starts_with('[') {
            match tail.find("].") {
                Some(close) => tail = &tail[close + 1..],
                None => return true,
            }
        }
        match tail.strip_prefix('.') {
            Some(next) => rest = next,
            None => return true,
        }
    }
    let rest = rest.strip_prefix("data.").unwrap_or(rest);
    let kind = rest.split('.').next().unwrap_or("");
    !kind.starts_with("azurerm_") || kind == cluster::TF_CLUSTER
}

#[cfg(test)]
mod tests {
    use super::may_be_cluster_address;

    #[test]
    fn cluster_addresses() {
        assert!(may_be_cluster_address("azurerm_kubernetes_cluster.aks"));
        assert!(may_be_cluster_address(
            "data.azurerm_kubernetes_cluster.shared"
        ));
        assert!(may_be_cluster_address(
            "module.aks[\"a.b\"].azurerm_kubernetes_cluster.this"
        ));
        assert!(may_be_cluster_address("azapi_resource.aks"));
        assert!(may_be_cluster_address("module.aks"));
        assert!(!may_be_cluster_address("azurerm_key_vault.kv"));
        assert!(!may_be_cluster_address(
            "module.net.azurerm_virtual_network.hub"
        ));
    }
}
