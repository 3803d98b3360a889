//! The typed resource model every rule reads, whatever the source format.

pub mod cluster;
pub mod field;
pub mod fields;
pub mod raw;

use crate::source::FileId;
use cluster::{Cluster, NodePool};
use raw::RawResource;

/// A landing zone: from `[[landing-zone]]`, or the scan root when there is no config.
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub corp: bool,
    pub subscription: Option<String>,
}

#[derive(Default, Debug)]
pub struct Model {
    pub clusters: Vec<Cluster>,
    /// Separate node-pool resources, linked to `clusters` by index.
    pub node_pools: Vec<NodePool>,
    pub zones: Vec<Zone>,
    /// Number of resources of any type the adapters produced.
    pub resource_count: usize,
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
        let mut cluster_units = Vec::new();
        for res in resources.iter().filter(|r| !r.existing) {
            match res.kind.as_str() {
                k if k == cluster::TF_CLUSTER || k.eq_ignore_ascii_case(cluster::ARM_CLUSTER) => {
                    let mut c = cluster::lower_cluster(res);
                    c.landing_zone = zone_of(res.file);
                    let index = model.clusters.len();
                    for pool in &mut c.pools {
                        pool.cluster = Some(index);
                    }
                    cluster_units.push(unit_of(res.file));
                    model.clusters.push(c);
                }
                k if k == cluster::TF_NODE_POOL
                    || k.eq_ignore_ascii_case(cluster::ARM_NODE_POOL) =>
                {
                    model.node_pools.push(cluster::lower_node_pool(res));
                }
                _ => {}
            }
        }
        for pool in &mut model.node_pools {
            let unit = unit_of(pool.file);
            let Some(reference) = &pool.cluster_ref else {
                continue;
            };
            let candidates = model.clusters.iter().enumerate().filter(|(i, c)| {
                c.format == pool.format
                    && match pool.format {
                        raw::Format::Terraform => {
                            cluster_units[*i] == unit && &c.address == reference
                        }
                        _ => c
                            .name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(reference)),
                    }
            });
            // Prefer a cluster of the same unit (ARM names repeat across templates).
            let mut best = None;
            for (i, _) in candidates {
                if best.is_none() || cluster_units[i] == unit {
                    best = Some(i);
                }
            }
            pool.cluster = best;
        }
        model
    }

    /// Separate pool resources linked to this cluster.
    pub fn pools_of(&self, cluster: usize) -> impl Iterator<Item = &NodePool> {
        self.node_pools
            .iter()
            .filter(move |p| p.cluster == Some(cluster))
    }
}
