//! The typed resource model every rule reads, whatever the source format.

pub mod cluster;
pub mod field;
pub mod fields;
pub mod raw;
pub mod registry;
pub mod workload;

use crate::source::FileId;
use cluster::{Cluster, NodePool};
use raw::{Format, RawResource};
use registry::{
    parse_resource_id, PolicyAssignment, Pricing, PrivateEndpoint, Reference, Registry,
    RegistryData, RoleAssignment,
};
use std::collections::{HashMap, HashSet};

/// A landing zone: from `[[landing-zone]]`, or the scan root when there is no config.
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub corp: bool,
    /// Lower-case subscription ID.
    pub subscription: Option<String>,
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
    /// Terraform azurerm provider configurations: (unit, `azurerm[.alias]`) -> subscription.
    pub providers: HashMap<(usize, String), Option<String>>,
    /// Terraform resource groups: (unit, address) -> lower-case name.
    pub resource_groups: HashMap<(usize, String), String>,
    /// Kubernetes objects of manifests and rendered charts.
    pub objects: Vec<workload::Object>,
    /// The workload objects among them, with their pod specs.
    pub workloads: Vec<workload::Workload>,
    /// Zones that declare a virtual machine or scale set of their own (not AKS nodes).
    pub zones_with_vms: HashSet<usize>,
    pub zones: Vec<Zone>,
    /// Number of resources of any type the adapters produced.
    pub resource_count: usize,
}

/// Where a reference to a registry leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Registry(usize),
    /// No registry of that name in the scan, but its subscription belongs to this zone.
    Zone(usize),
    Unresolved,
}

impl Model {
    /// `unit_of` names the unit a file belongs to (a Terraform root directory, an ARM
    /// template): Terraform addresses are only unique within their root.
    pub fn build(
        resources: &[RawResource],
        unit_of: impl Fn(FileId) -> usize,
        zone_of: impl Fn(FileId) -> usize,
        zones: Vec<Zone>,
    ) -> Model {
        let mut model = Model {
            zones,
            resource_count: resources.len(),
            ..Model::default()
        };
        for res in resources.iter() {
            let (unit, zone) = (unit_of(res.file), zone_of(res.file));
            let kind = res.kind.as_str();
            let is = |tf: &str, arm: &str| kind == tf || kind.eq_ignore_ascii_case(arm);
            if kind == registry::TF_REGISTRY_DATA {
                let provider = match res.body.get("provider").map(|v| &v.kind) {
                    Some(crate::value::Kind::Unknown(text)) => text.trim().to_string(),
                    _ => "azurerm".to_string(),
                };
                model.registry_data.push(RegistryData {
                    address: res.address.clone(),
                    unit,
                    name: res.name.clone(),
                    provider,
                });
                continue;
            }
            if kind == "provider.azurerm" {
                let subscription = res
                    .body
                    .get("subscription_id")
                    .and_then(crate::value::Value::as_str)
                    .map(str::to_ascii_lowercase);
                model
                    .providers
                    .insert((unit, res.address.clone()), subscription);
                continue;
            }
            if res.existing {
                continue;
            }
            if res.format == Format::Kubernetes {
                let object = workload::lower_object(res, zone);
                let index = model.objects.len();
                if let Some(w) = workload::lower_workload(&object, index) {
                    model.workloads.push(w);
                }
                model.objects.push(object);
                continue;
            }
            if is(cluster::TF_CLUSTER, cluster::ARM_CLUSTER) {
                let mut c = cluster::lower_cluster(res);
                c.landing_zone = zone;
                c.unit = unit;
                let index = model.clusters.len();
                for pool in &mut c.pools {
                    pool.cluster = Some(index);
                }
                model.clusters.push(c);
            } else if is(cluster::TF_NODE_POOL, cluster::ARM_NODE_POOL) {
                model.node_pools.push(cluster::lower_node_pool(res));
            } else if is(registry::TF_REGISTRY, registry::ARM_REGISTRY) {
                model
                    .registries
                    .push(registry::lower_registry(res, unit, zone));
            } else if is(
                registry::TF_PRIVATE_ENDPOINT,
                registry::ARM_PRIVATE_ENDPOINT,
            ) {
                model
                    .private_endpoints
                    .push(registry::lower_private_endpoint(res, unit, zone));
            } else if is(registry::TF_ROLE_ASSIGNMENT, registry::ARM_ROLE_ASSIGNMENT)
                || (res.format != Format::Terraform
                    && kind
                        .to_ascii_lowercase()
                        .ends_with("/providers/roleassignments"))
            {
                model
                    .role_assignments
                    .push(registry::lower_role_assignment(res, unit, zone));
            } else if is(registry::TF_PRICING, registry::ARM_PRICING) {
                model
                    .pricings
                    .push(registry::lower_pricing(res, unit, zone));
            } else if registry::is_policy_assignment(kind) {
                model
                    .policy_assignments
                    .push(registry::lower_policy_assignment(res, unit, zone));
            } else if kind == "azurerm_resource_group" {
                if let Some(name) = &res.name {
                    model
                        .resource_groups
                        .insert((unit, res.address.clone()), name.to_ascii_lowercase());
                }
            } else if registry::is_virtual_machine(kind) {
                model.zones_with_vms.insert(zone);
            }
        }
        model.link_node_pools(&unit_of);
        model.link_registries();
        model
    }

    fn link_node_pools(&mut self, unit_of: &impl Fn(FileId) -> usize) {
        for pool in &mut self.node_pools {
            let unit = unit_of(pool.file);
            let Some(reference) = &pool.cluster_ref else {
                continue;
            };
            let mut best = None;
            for (i, c) in self.clusters.iter().enumerate() {
                let same = c.format == pool.format
                    && match pool.format {
                        Format::Terraform => c.unit == unit && &c.address == reference,
                        _ => c
                            .name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(reference)),
                    };
                // Prefer a cluster of the same unit (ARM names repeat across templates).
                if same && (best.is_none() || c.unit == unit) {
                    best = Some(i);
                }
            }
            pool.cluster = best;
        }
    }

    fn link_registries(&mut self) {
        let mut links = Vec::new();
        for (e, endpoint) in self.private_endpoints.iter().enumerate() {
            for (c, connection) in endpoint.connections.iter().enumerate() {
                if let Target::Registry(r) =
                    self.resolve(&connection.target, endpoint.at.unit, endpoint.at.zone)
                {
                    links.push((e, c, r));
                }
            }
        }
        for (e, c, r) in links {
            self.private_endpoints[e].connections[c].registry = Some(r);
        }
        for i in 0..self.role_assignments.len() {
            let assignment = &self.role_assignments[i];
            let target = self.resolve(&assignment.scope, assignment.at.unit, assignment.at.zone);
            let cluster = match &assignment.kubelet_of {
                Some(registry::ClusterRef::Address(address)) => self
                    .clusters
                    .iter()
                    .position(|c| c.unit == assignment.at.unit && &c.address == address),
                Some(registry::ClusterRef::Name(name)) => {
                    let named = |c: &Cluster| {
                        c.format != Format::Terraform
                            && c.name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    };
                    let clusters = &self.clusters;
                    (clusters.iter())
                        .position(|c| named(c) && c.unit == assignment.at.unit)
                        .or_else(|| {
                            (clusters.iter())
                                .position(|c| named(c) && c.landing_zone == assignment.at.zone)
                        })
                        .or_else(|| clusters.iter().position(named))
                }
                None => None,
            };
            let assignment = &mut self.role_assignments[i];
            assignment.cluster = cluster;
            match target {
                Target::Registry(r) => {
                    assignment.registry = Some(r);
                    assignment.registry_zone = Some(self.registries[r].at.zone);
                }
                Target::Zone(z) => assignment.registry_zone = Some(z),
                Target::Unresolved => {}
            }
        }
    }

    /// A reference to a registry: a Terraform address in the same root (or a data source
    /// naming it), or a resource ID matched by registry name (case-insensitive) preferring
    /// the same unit, then the same zone; failing that, by the ID's subscription.
    pub fn resolve(&self, reference: &Reference, unit: usize, zone: usize) -> Target {
        let (name, subscription) = match reference {
            Reference::Address(address) => {
                if let Some(r) = self.registries.iter().position(|r| {
                    r.at.unit == unit
                        && r.at.format == Format::Terraform
                        && &r.at.address == address
                }) {
                    return Target::Registry(r);
                }
                let data = self
                    .registry_data
                    .iter()
                    .find(|d| d.unit == unit && &d.address == address);
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
                    _ => return Target::Unresolved,
                }
            }
            Reference::Id(id) => match parse_resource_id(id) {
                Some(parsed) if parsed.kind.eq_ignore_ascii_case(registry::ARM_REGISTRY) => {
                    (parsed.name, parsed.subscription)
                }
                _ => return Target::Unresolved,
            },
            Reference::Unknown => return Target::Unresolved,
        };
        let named: Vec<usize> = self
            .registries
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
            })
            .map(|(i, _)| i)
            .collect();
        let pick = named
            .iter()
            .find(|&&i| self.registries[i].at.unit == unit)
            .or_else(|| named.iter().find(|&&i| self.registries[i].at.zone == zone))
            .or(named.first());
        if let Some(&r) = pick {
            return Target::Registry(r);
        }
        match subscription {
            Some(sub) => self
                .zones
                .iter()
                .position(|z| z.subscription.as_deref() == Some(sub.as_str()))
                .map(Target::Zone)
                .unwrap_or(Target::Unresolved),
            None => Target::Unresolved,
        }
    }

    /// The lower-case name of a Terraform resource group reference, when known.
    pub fn group_name(&self, unit: usize, group: &registry::GroupRef) -> Option<String> {
        match group {
            registry::GroupRef::Name(name) => Some(name.clone()),
            registry::GroupRef::Address(address) => {
                self.resource_groups.get(&(unit, address.clone())).cloned()
            }
        }
    }

    /// Separate pool resources linked to this cluster.
    pub fn pools_of(&self, cluster: usize) -> impl Iterator<Item = &NodePool> {
        self.node_pools
            .iter()
            .filter(move |p| p.cluster == Some(cluster))
    }
}
