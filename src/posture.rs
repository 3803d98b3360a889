//! A landing zone's posture, for the HTML report: what each attack surface had to evaluate
//! (and whether any of it was decidable offline), and the zone's resources with the links
//! the model computed between them (node pools, AcrPull grants, private endpoints, Defender
//! plans, diagnostic settings). Built from the model once the scan has linked it, only when
//! a report asks for it (`Options::posture`).

use crate::catalogue::Surface;
use crate::model::field::State;
use crate::model::role_assignment::Role;
use crate::model::security_fields::{for_each_field, Subject};
use crate::model::Model;
use crate::source::{FileId, Loc};

/// The five attack surfaces of the guidance, in the order reports show them.
pub const SURFACES: [Surface; 5] = [
    Surface::Build,
    Surface::Registry,
    Surface::Cluster,
    Surface::Node,
    Surface::Application,
];

/// Position of a surface in [`SURFACES`] (None for `engine`).
pub fn surface_index(surface: Surface) -> Option<usize> {
    SURFACES.iter().position(|s| *s == surface)
}

#[derive(Clone, Debug, Default)]
pub struct Posture {
    /// The configured zones, then the catch-all named after the scan root.
    pub zones: Vec<ZonePosture>,
    /// The zone of every source file (by `FileId`), as the engine assigned it.
    pub file_zones: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct ZonePosture {
    pub name: String,
    pub subscription: Option<String>,
    pub corp: bool,
    /// Per surface (in [`SURFACES`] order): what its rules had to read in this zone.
    pub coverage: [Coverage; 5],
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    /// Resources not drawn: past [`MAX_NODES_PER_KIND`] of their kind.
    pub not_drawn: usize,
}

/// What a surface's rules had to read in one zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Resources, objects and files its rules read (clusters, pools, registries, workloads,
    /// Dockerfiles, pipelines...).
    pub subjects: usize,
    /// Their security fields by state: set, default, unknown offline.
    pub fields: [usize; 3],
}

impl Coverage {
    /// Subjects were there, but not one of their security fields could be decided offline:
    /// no finding here means nothing. Only evaluated values count as fields (the registry,
    /// cluster and node surfaces, and the application surface's cluster add-ons where a zone
    /// has no Kubernetes object): Dockerfiles, pipelines and manifests are read as written,
    /// so they are marked not evaluated only by what skips them whole (an unrendered chart,
    /// an unreadable file), never by this.
    pub fn all_unknown(&self) -> bool {
        self.subjects > 0 && self.fields[2] > 0 && self.fields[0] + self.fields[1] == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Cluster,
    NodePool,
    Registry,
    PrivateEndpoint,
    DefenderPlan,
    DiagnosticSetting,
    /// A resource of another zone one of this zone's resources links to (or from).
    OtherZone,
    /// The other end of a grant the scan could not resolve.
    Unresolved,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// How messages name it.
    pub label: String,
    /// A second line: a pool's cluster, a plan's tier, whether audit logs are collected.
    pub detail: String,
    /// Address or name as findings report it (to count a node's findings).
    pub resource: String,
    pub at: Option<Loc>,
    /// A node of another zone: that zone's name.
    pub zone: Option<String>,
    /// Something about it is off (a Free Defender tier, no audit log): drawn as a warning.
    pub warn: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// Pool -> its cluster.
    Pool,
    /// Cluster (kubelet identity) -> registry: an AcrPull role assignment.
    AcrPull,
    /// Private endpoint -> registry.
    PrivateLink,
    /// Diagnostic setting -> cluster.
    Diagnostics,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub from: usize,
    pub to: usize,
    pub kind: LinkKind,
    /// Crosses landing zones (an AcrPull grant to another zone's registry).
    pub cross_zone: bool,
    /// Where the link is declared (the role assignment, the endpoint's connection).
    pub at: Option<Loc>,
}

/// Nodes of one kind a drawing keeps per zone; the rest are counted on a "more" node.
pub const MAX_NODES_PER_KIND: usize = 40;

/// What each zone draws beyond the model's own per-zone indexes, grouped once (a scan of
/// 5,000 zones would otherwise walk every grant, endpoint and setting once per zone).
#[derive(Default)]
struct ByZone {
    /// AcrPull grants, under every zone they touch (their own, their cluster's, their
    /// registry's).
    grants: Vec<Vec<usize>>,
    endpoints: Vec<Vec<usize>>,
    settings: Vec<Vec<usize>>,
    /// Separate node pools whose cluster was not found.
    lone_pools: Vec<Vec<usize>>,
}

impl ByZone {
    fn of(model: &Model) -> ByZone {
        let zones = model.zones.len();
        let mut by = ByZone {
            grants: vec![Vec::new(); zones],
            endpoints: vec![Vec::new(); zones],
            settings: vec![Vec::new(); zones],
            lone_pools: vec![Vec::new(); zones],
        };
        let put = |list: &mut Vec<Vec<usize>>, zone: usize, item: usize| {
            if let Some(items) = list.get_mut(zone) {
                if items.last() != Some(&item) {
                    items.push(item);
                }
            }
        };
        for (a, grant) in model.role_assignments.iter().enumerate() {
            if grant.role != Role::AcrPull {
                continue;
            }
            put(&mut by.grants, grant.resource.zone, a);
            if let Some(c) = grant.cluster {
                put(&mut by.grants, model.clusters[c].landing_zone, a);
            }
            if let Some(z) = grant.registry_zone {
                put(&mut by.grants, z, a);
            }
        }
        for grants in &mut by.grants {
            grants.sort_unstable();
            grants.dedup();
        }
        for (e, endpoint) in model.private_endpoints.iter().enumerate() {
            put(&mut by.endpoints, endpoint.resource.zone, e);
        }
        for (d, setting) in model.diagnostic_settings.iter().enumerate() {
            put(&mut by.settings, setting.resource.zone, d);
        }
        for (p, pool) in model.node_pools.iter().enumerate() {
            if pool.cluster.is_none() {
                put(&mut by.lone_pools, pool.landing_zone, p);
            }
        }
        by
    }
}

struct Builder<'m> {
    model: &'m Model,
    by_zone: &'m ByZone,
    zone: usize,
    out: ZonePosture,
    /// (kind, index into the model's list) -> node.
    seen: std::collections::HashMap<(NodeKind, usize), usize>,
    counts: std::collections::HashMap<NodeKind, usize>,
}

impl Builder<'_> {
    fn node(&mut self, kind: NodeKind, index: usize, make: impl FnOnce() -> Node) -> Option<usize> {
        if let Some(&n) = self.seen.get(&(kind, index)) {
            return (n != usize::MAX).then_some(n);
        }
        let count = self.counts.entry(kind).or_default();
        *count += 1;
        if *count > MAX_NODES_PER_KIND {
            self.out.not_drawn += 1;
            // Counted once: the same resource asked for again is found in `seen`.
            self.seen.insert((kind, index), usize::MAX);
            return None;
        }
        let n = self.out.nodes.len();
        self.out.nodes.push(make());
        self.seen.insert((kind, index), n);
        Some(n)
    }

    fn link(&mut self, from: Option<usize>, to: Option<usize>, kind: LinkKind, at: Option<Loc>) {
        if let (Some(from), Some(to)) = (from, to) {
            let cross_zone =
                self.out.nodes[from].zone.is_some() || self.out.nodes[to].zone.is_some();
            self.out.links.push(Link {
                from,
                to,
                kind,
                cross_zone,
                at,
            });
        }
    }

    fn cluster(&mut self, c: usize) -> Option<usize> {
        let cluster = &self.model.clusters[c];
        let other = (cluster.landing_zone != self.zone)
            .then(|| self.model.zones.get(cluster.landing_zone))
            .flatten()
            .map(|z| z.name.clone());
        let kind = if other.is_some() {
            NodeKind::OtherZone
        } else {
            NodeKind::Cluster
        };
        self.node(kind, c, || Node {
            kind,
            label: cluster
                .name
                .clone()
                .unwrap_or_else(|| short_address(&cluster.label)),
            detail: match &other {
                Some(zone) => format!("cluster in {zone}"),
                None => "AKS cluster".to_string(),
            },
            resource: cluster.address.clone(),
            at: Some(cluster.header),
            zone: other,
            warn: false,
        })
    }

    fn registry(&mut self, r: usize) -> Option<usize> {
        let registry = &self.model.registries[r];
        let other = (registry.resource.zone != self.zone)
            .then(|| self.model.zones.get(registry.resource.zone))
            .flatten()
            .map(|z| z.name.clone());
        let kind = if other.is_some() {
            NodeKind::OtherZone
        } else {
            NodeKind::Registry
        };
        // Registries and clusters of other zones share a kind: keep their keys apart.
        let key = if other.is_some() {
            usize::MAX / 2 + r
        } else {
            r
        };
        self.node(kind, key, || Node {
            kind,
            label: short_address(registry.label()),
            detail: match &other {
                Some(zone) => format!("registry in {zone}"),
                None => match registry.sku.known() {
                    Some(sku) => format!("container registry, {sku}"),
                    None => "container registry".to_string(),
                },
            },
            resource: registry.resource.address.clone(),
            at: Some(registry.resource.header),
            zone: other,
            warn: false,
        })
    }
}

impl Posture {
    /// `zone_of_file`: the zone of every source file, as the engine assigned it.
    pub fn of(model: &Model, zone_of_file: &[usize]) -> Posture {
        let by_zone = ByZone::of(model);
        let mut zones: Vec<ZonePosture> = model
            .zones
            .iter()
            .enumerate()
            .map(|(z, zone)| {
                let mut builder = Builder {
                    model,
                    by_zone: &by_zone,
                    zone: z,
                    out: ZonePosture {
                        name: zone.name.clone(),
                        subscription: zone.subscription.clone(),
                        corp: zone.corp,
                        ..ZonePosture::default()
                    },
                    seen: Default::default(),
                    counts: Default::default(),
                };
                builder.draw();
                builder.out
            })
            .collect();
        coverage(model, zone_of_file, &mut zones);
        Posture {
            zones,
            file_zones: zone_of_file.to_vec(),
        }
    }
}

impl Builder<'_> {
    /// The zone's resources and their links, in the model's order.
    fn draw(&mut self) {
        let model = self.model;
        let zone = self.zone;
        for &c in Model::in_zone(&model.index.clusters_by_zone, zone) {
            let cluster = self.cluster(c);
            let pools: Vec<&crate::model::cluster::NodePool> = model.clusters[c]
                .pools
                .iter()
                .chain(model.pools_of(c))
                .collect();
            for (i, pool) in pools.into_iter().enumerate() {
                let system = pool.system.known().copied().unwrap_or(false);
                let node = self.node(NodeKind::NodePool, c * 4096 + i.min(4095), || Node {
                    kind: NodeKind::NodePool,
                    label: short_address(&pool.label),
                    detail: if system {
                        "system node pool".to_string()
                    } else {
                        "node pool".to_string()
                    },
                    // An inline pool's findings name its cluster: counted on the cluster.
                    resource: if pool.separate {
                        pool.address.clone()
                    } else {
                        String::new()
                    },
                    at: Some(pool.header),
                    zone: None,
                    warn: false,
                });
                self.link(node, cluster, LinkKind::Pool, Some(pool.header));
            }
        }
        // Separate pools whose cluster the scan could not find.
        for &p in &self.by_zone.lone_pools[zone] {
            let pool = &model.node_pools[p];
            self.node(NodeKind::NodePool, usize::MAX / 2 + p, || Node {
                kind: NodeKind::NodePool,
                label: pool.label.clone(),
                detail: "node pool, cluster not found".to_string(),
                resource: pool.address.clone(),
                at: Some(pool.header),
                zone: None,
                warn: true,
            });
        }
        for &r in Model::in_zone(&model.index.registries_by_zone, zone) {
            self.registry(r);
        }
        // A grant belongs to the drawing of every zone it touches.
        for &a in &self.by_zone.grants[zone] {
            let grant = &model.role_assignments[a];
            let registry_zone = grant.registry_zone;
            let from = match grant.cluster {
                Some(c) => self.cluster(c),
                None => self.node(NodeKind::Unresolved, a * 2, || Node {
                    kind: NodeKind::Unresolved,
                    label: "principal not known offline".to_string(),
                    detail: grant.resource.address.clone(),
                    resource: grant.resource.address.clone(),
                    at: Some(grant.resource.header),
                    zone: None,
                    warn: true,
                }),
            };
            let to = match (grant.registry, registry_zone) {
                (Some(r), _) => self.registry(r),
                (None, Some(z)) if z != zone => {
                    let name = model.zones.get(z).map(|z| z.name.clone());
                    self.node(NodeKind::OtherZone, a * 2 + 1, || Node {
                        kind: NodeKind::OtherZone,
                        label: "registry outside the scan".to_string(),
                        detail: format!("subscription of {}", name.as_deref().unwrap_or("?")),
                        resource: grant.resource.address.clone(),
                        at: Some(grant.resource.header),
                        zone: name,
                        warn: false,
                    })
                }
                _ => self.node(NodeKind::Unresolved, a * 2 + 1, || Node {
                    kind: NodeKind::Unresolved,
                    label: "scope not known offline".to_string(),
                    detail: grant.resource.address.clone(),
                    resource: grant.resource.address.clone(),
                    at: Some(grant.resource.header),
                    zone: None,
                    warn: true,
                }),
            };
            self.link(from, to, LinkKind::AcrPull, Some(grant.resource.header));
        }
        for &e in &self.by_zone.endpoints[zone] {
            let endpoint = &model.private_endpoints[e];
            let linked: Vec<(usize, Loc)> = endpoint
                .connections
                .iter()
                .filter_map(|c| Some((c.registry?, c.at)))
                .collect();
            if linked.is_empty() {
                continue;
            }
            let node = self.node(NodeKind::PrivateEndpoint, e, || Node {
                kind: NodeKind::PrivateEndpoint,
                label: short_address(&endpoint.resource.address),
                detail: "private endpoint".to_string(),
                resource: endpoint.resource.address.clone(),
                at: Some(endpoint.resource.header),
                zone: None,
                warn: false,
            });
            for (r, at) in linked {
                let registry = self.registry(r);
                self.link(node, registry, LinkKind::PrivateLink, Some(at));
            }
        }
        for &p in Model::in_zone(&model.index.pricings_by_zone, zone) {
            let pricing = &model.pricings[p];
            let tier = pricing.tier.known().cloned();
            self.node(NodeKind::DefenderPlan, p, || Node {
                kind: NodeKind::DefenderPlan,
                label: match pricing.plan.known() {
                    Some(plan) => format!("Defender for {plan}"),
                    None => "Defender plan (not known offline)".to_string(),
                },
                detail: match &tier {
                    Some(tier) => format!("tier {tier}"),
                    None => "tier not known offline".to_string(),
                },
                resource: pricing.resource.address.clone(),
                at: Some(pricing.resource.header),
                zone: None,
                warn: pricing.standard() == Some(false),
            });
        }
        for &d in &self.by_zone.settings[zone] {
            let setting = &model.diagnostic_settings[d];
            let audit = match setting.audit.state {
                State::Unknown => None,
                _ => setting.audit.known().copied(),
            };
            let node = self.node(NodeKind::DiagnosticSetting, d, || Node {
                kind: NodeKind::DiagnosticSetting,
                label: setting
                    .name
                    .clone()
                    .unwrap_or_else(|| short_address(setting.label())),
                detail: match audit {
                    Some(true) => "audit logs collected".to_string(),
                    Some(false) => "no audit log category".to_string(),
                    None => "audit logs not known offline".to_string(),
                },
                resource: setting.resource.address.clone(),
                at: Some(setting.resource.header),
                zone: None,
                warn: audit == Some(false),
            });
            if let Some(c) = setting.cluster {
                let cluster = self.cluster(c);
                self.link(
                    node,
                    cluster,
                    LinkKind::Diagnostics,
                    Some(setting.resource.header),
                );
            }
        }
    }
}

/// A Terraform address without its resource type (`module.m.hub` for
/// `module.m.azurerm_private_endpoint.hub`): the drawing says what kind it is.
fn short_address(address: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    // Split on dots outside brackets (`pe["a.b"]`).
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in address.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                parts.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&address[start..]);
    let kept: Vec<&str> = parts
        .iter()
        .enumerate()
        .filter(|(i, part)| !(part.starts_with("azurerm_") && i + 1 < parts.len()))
        .map(|(_, part)| *part)
        .collect();
    kept.join(".")
}

/// Per zone and surface, the subjects the surface's rules read and the states of their
/// security fields (the fields `--statistics` counts, by the same walk).
fn coverage(model: &Model, zone_of_file: &[usize], zones: &mut [ZonePosture]) {
    let zone_of = |file: FileId| zone_of_file.get(file as usize).copied();
    let mut add = |zone: Option<usize>, surface: Surface, subjects: usize| {
        if let (Some(zone), Some(s)) = (zone, surface_index(surface)) {
            if let Some(z) = zones.get_mut(zone) {
                z.coverage[s].subjects += subjects;
            }
        }
    };
    for d in &model.dockerfiles {
        add(Some(d.zone), Surface::Build, 1);
    }
    for p in &model.pipelines {
        add(Some(p.zone), Surface::Build, 1);
    }
    for r in &model.registries {
        add(Some(r.resource.zone), Surface::Registry, 1);
    }
    for c in &model.clusters {
        add(Some(c.landing_zone), Surface::Cluster, 1);
        add(Some(c.landing_zone), Surface::Node, c.pools.len());
    }
    for p in &model.node_pools {
        add(Some(p.landing_zone), Surface::Node, 1);
    }
    for d in &model.diagnostic_settings {
        add(Some(d.resource.zone), Surface::Cluster, 1);
    }
    for o in &model.objects {
        add(Some(o.zone), Surface::Application, 1);
    }
    // The application rules AKS009, AKS010 and AKS014 read the cluster's add-ons: where a
    // zone has no Kubernetes object, those fields are all its application surface decides.
    let objects: Vec<usize> = zones.iter().map(|z| z.coverage[4].subjects).collect();
    for c in &model.clusters {
        if let Some(z) = zones.get_mut(c.landing_zone) {
            z.coverage[4].subjects += 1;
        }
    }
    for_each_field(model, &mut |_, _, subject, state, at| {
        let Some(zone) = zone_of(at.file) else { return };
        let Some(z) = zones.get_mut(zone) else { return };
        let slot = match state {
            State::Set => 0,
            State::Default => 1,
            State::Unknown => 2,
        };
        let surface = match subject {
            Subject::Cluster | Subject::DiagnosticSetting => Surface::Cluster,
            Subject::NodePool => Surface::Node,
            Subject::Registry => Surface::Registry,
        };
        if let Some(s) = surface_index(surface) {
            z.coverage[s].fields[slot] += 1;
        }
        if subject == Subject::Cluster && objects.get(zone) == Some(&0) {
            z.coverage[4].fields[slot] += 1;
        }
    });
}
