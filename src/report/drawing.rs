//! A landing zone's resources and links as an SVG drawing, laid out here (no layout
//! library, no script): four columns, left to right diagnostic settings, clusters with
//! their node pools beneath, registries (and what lies in other zones or could not be
//! resolved), private endpoints; Defender plans in a row above. A registry is placed at the
//! mean height of the clusters granted AcrPull on it, an endpoint beside its registry, a
//! diagnostic setting beside its cluster, so most links run straight across.

use super::html::text;
use crate::posture::{LinkKind, Node, NodeKind, ZonePosture};
use crate::source::Sources;
use std::collections::HashMap;
use std::fmt::Write;

const NODE_HEIGHT: i64 = 40;
const GAP: i64 = 12;
const MARGIN: i64 = 10;
/// Left edge and width of each column.
const COLUMNS: [(i64, i64); 4] = [(10, 180), (270, 200), (570, 200), (860, 170)];
const POOL_INDENT: i64 = 24;
const WIDTH: i64 = 1040;
/// Characters of a label drawn in a box (the whole one is in its tooltip).
const LABEL_CHARS: usize = 28;

fn column(kind: NodeKind) -> usize {
    match kind {
        NodeKind::DiagnosticSetting => 0,
        NodeKind::Cluster | NodeKind::NodePool => 1,
        NodeKind::Registry | NodeKind::OtherZone | NodeKind::Unresolved => 2,
        NodeKind::PrivateEndpoint => 3,
        NodeKind::DefenderPlan => 4,
    }
}

fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Cluster => "cluster",
        NodeKind::NodePool => "pool",
        NodeKind::Registry => "registry",
        NodeKind::PrivateEndpoint => "endpoint",
        NodeKind::DefenderPlan => "defender",
        NodeKind::DiagnosticSetting => "diagnostics",
        NodeKind::OtherZone => "other",
        NodeKind::Unresolved => "unresolved",
    }
}

/// One line on what the zone declares, for its heading.
pub fn summary(zone: &ZonePosture) -> String {
    let count = |kind: NodeKind| zone.nodes.iter().filter(|n| n.kind == kind).count();
    let mut parts = Vec::new();
    for (kind, one, many) in [
        (NodeKind::Cluster, "cluster", "clusters"),
        (NodeKind::NodePool, "node pool", "node pools"),
        (NodeKind::Registry, "registry", "registries"),
        (
            NodeKind::PrivateEndpoint,
            "private endpoint",
            "private endpoints",
        ),
        (NodeKind::DefenderPlan, "Defender plan", "Defender plans"),
        (
            NodeKind::DiagnosticSetting,
            "diagnostic setting",
            "diagnostic settings",
        ),
    ] {
        match count(kind) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    let grants = zone
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::AcrPull)
        .count();
    let cross = zone
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::AcrPull && l.cross_zone)
        .count();
    if grants > 0 {
        parts.push(format!(
            "{grants} AcrPull grant{}{}",
            if grants == 1 { "" } else { "s" },
            if cross > 0 {
                format!(" ({cross} across zones)")
            } else {
                String::new()
            }
        ));
    }
    if zone.not_drawn > 0 {
        parts.push(format!("{} more not drawn", zone.not_drawn));
    }
    if parts.is_empty() {
        return "nothing drawn: no cluster, registry, Defender plan or diagnostic setting"
            .to_string();
    }
    parts.join(", ")
}

/// Node positions: (x, y, width) of each node.
fn layout(zone: &ZonePosture) -> (Vec<(i64, i64, i64)>, i64) {
    let mut at: Vec<Option<(i64, i64, i64)>> = vec![None; zone.nodes.len()];
    let mut top = MARGIN;
    // Defender plans, in rows across the top.
    let mut x = MARGIN;
    let mut any = false;
    for (n, node) in zone.nodes.iter().enumerate() {
        if node.kind != NodeKind::DefenderPlan {
            continue;
        }
        if x + 230 > WIDTH {
            x = MARGIN;
            top += NODE_HEIGHT + GAP;
        }
        at[n] = Some((x, top, 230));
        x += 230 + GAP;
        any = true;
    }
    if any {
        top += NODE_HEIGHT + 2 * GAP;
    }
    let pools_of = |cluster: usize| {
        zone.links
            .iter()
            .filter(move |l| l.kind == LinkKind::Pool && l.to == cluster)
            .map(|l| l.from)
    };
    // Clusters, each with its pools beneath; then what is left of the column.
    let (x1, w1) = COLUMNS[1];
    let mut y = top;
    for (n, node) in zone.nodes.iter().enumerate() {
        if node.kind != NodeKind::Cluster {
            continue;
        }
        at[n] = Some((x1, y, w1));
        y += NODE_HEIGHT + GAP / 2;
        for pool in pools_of(n) {
            if at[pool].is_none() {
                at[pool] = Some((x1 + POOL_INDENT, y, w1 - POOL_INDENT));
                y += NODE_HEIGHT + GAP / 2;
            }
        }
        y += GAP;
    }
    // Unlinked pools, and the principals of grants from elsewhere, under the clusters;
    // a cluster of another zone goes to this column, a registry of another to the next.
    let mut next = [top, y, top, top];
    let sources_of = |n: usize| {
        zone.links
            .iter()
            .filter(move |l| l.to == n && l.kind == LinkKind::AcrPull)
            .map(|l| l.from)
    };
    for (n, node) in zone.nodes.iter().enumerate() {
        let in_cluster_column = node.kind == NodeKind::NodePool
            || (matches!(node.kind, NodeKind::OtherZone | NodeKind::Unresolved)
                && zone
                    .links
                    .iter()
                    .any(|l| l.from == n && l.kind == LinkKind::AcrPull));
        if at[n].is_none() && in_cluster_column {
            at[n] = Some((x1, next[1], w1));
            next[1] += NODE_HEIGHT + GAP;
        }
    }
    // Registries at the mean height of what pulls from them, in that order.
    let centre = |at: &[Option<(i64, i64, i64)>], ns: &mut dyn Iterator<Item = usize>| {
        let ys: Vec<i64> = ns.filter_map(|n| at[n].map(|p| p.1)).collect();
        (!ys.is_empty()).then(|| ys.iter().sum::<i64>() / ys.len() as i64)
    };
    let mut wanted: Vec<(i64, usize)> = Vec::new();
    for (n, node) in zone.nodes.iter().enumerate() {
        if at[n].is_none() && column(node.kind) == 2 {
            let y = centre(&at, &mut sources_of(n)).unwrap_or(i64::MAX);
            wanted.push((y, n));
        }
    }
    wanted.sort();
    for (y, n) in wanted {
        let y = if y == i64::MAX {
            next[2]
        } else {
            y.max(next[2])
        };
        at[n] = Some((COLUMNS[2].0, y, COLUMNS[2].1));
        next[2] = y + NODE_HEIGHT + GAP;
    }
    // Endpoints beside their registry, diagnostic settings beside their cluster.
    for col in [3, 0] {
        let mut wanted: Vec<(i64, usize)> = Vec::new();
        for (n, node) in zone.nodes.iter().enumerate() {
            if at[n].is_none() && column(node.kind) == col {
                let mut linked = zone.links.iter().filter(|l| l.from == n).map(|l| l.to);
                let y = centre(&at, &mut linked).unwrap_or(i64::MAX);
                wanted.push((y, n));
            }
        }
        wanted.sort();
        for (y, n) in wanted {
            let y = if y == i64::MAX {
                next[col]
            } else {
                y.max(next[col])
            };
            at[n] = Some((COLUMNS[col].0, y, COLUMNS[col].1));
            next[col] = y + NODE_HEIGHT + GAP;
        }
    }
    let positions: Vec<(i64, i64, i64)> = at
        .into_iter()
        .map(|p| p.unwrap_or((MARGIN, top, 190)))
        .collect();
    let height = positions
        .iter()
        .map(|p| p.1 + NODE_HEIGHT)
        .max()
        .unwrap_or(0)
        + MARGIN
        + if zone.not_drawn > 0 { 24 } else { 0 };
    (positions, height)
}

/// A zone's drawing, laid out: what the page writes as SVG (inline) or as data its script
/// turns into the same SVG when the zone is opened (`drawings` in the data script).
pub struct Drawing {
    pub width: i64,
    pub height: i64,
    pub title: String,
    pub links: Vec<LinkShape>,
    pub nodes: Vec<NodeShape>,
    /// "N more resources are not drawn", at the bottom.
    pub more: Option<String>,
}

pub struct LinkShape {
    /// CSS classes: `pool`, `acrpull`, `private`, `diag`, then ` cross` across zones.
    pub class: String,
    /// SVG path data.
    pub path: String,
    /// Its label and where it goes.
    pub label: Option<(&'static str, i64, i64)>,
}

pub struct NodeShape {
    pub class: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub label: String,
    pub detail: String,
    /// Everything known about it, one item a line: label, kind, address, place.
    pub tooltip: String,
    /// Unsuppressed findings on it: index of the worst severity (`html::SEVERITIES`), count.
    pub badge: Option<(usize, usize)>,
}

/// Lays out one zone; `findings_of` counts unsuppressed findings per (zone, resource) by
/// severity (the order of `html::SEVERITIES`). None when there is nothing to draw.
pub fn drawing(
    zone: &ZonePosture,
    sources: &Sources,
    findings_of: &HashMap<(&str, &str), [usize; 6]>,
) -> Option<Drawing> {
    if zone.nodes.is_empty() {
        return None;
    }
    let (positions, height) = layout(zone);
    let mut links = Vec::with_capacity(zone.links.len());
    for link in &zone.links {
        let (a, b) = (positions[link.from], positions[link.to]);
        let (kind, label) = match link.kind {
            LinkKind::Pool => ("pool", None),
            LinkKind::AcrPull => ("acrpull", Some("AcrPull")),
            LinkKind::PrivateLink => ("private", Some("private link")),
            LinkKind::Diagnostics => ("diag", Some("logs")),
        };
        let path = if link.kind == LinkKind::Pool {
            // Pool beneath its cluster: an elbow down the left side.
            let x = b.0 + POOL_INDENT / 2;
            format!(
                "M{x} {}V{}H{}",
                b.1 + NODE_HEIGHT,
                a.1 + NODE_HEIGHT / 2,
                a.0
            )
        } else {
            let (ax, bx) = if a.0 < b.0 {
                (a.0 + a.2, b.0)
            } else {
                (a.0, b.0 + b.2)
            };
            let (ay, by) = (a.1 + NODE_HEIGHT / 2, b.1 + NODE_HEIGHT / 2);
            let mid = (ax + bx) / 2;
            format!("M{ax} {ay}C{mid} {ay} {mid} {by} {bx} {by}")
        };
        // Above the middle of the gap between the two columns.
        let (left, right) = if a.0 < b.0 { (a, b) } else { (b, a) };
        links.push(LinkShape {
            class: format!("{kind}{}", if link.cross_zone { " cross" } else { "" }),
            path,
            label: label.map(|l| {
                (
                    l,
                    (left.0 + left.2 + right.0) / 2,
                    (a.1 + b.1) / 2 + NODE_HEIGHT / 2 - 5,
                )
            }),
        });
    }
    let nodes = zone
        .nodes
        .iter()
        .zip(&positions)
        .map(|(node, &(x, y, width))| {
            node_shape(node, x, y, width, &zone.name, sources, findings_of)
        })
        .collect();
    Some(Drawing {
        width: WIDTH,
        height,
        title: format!("Resources and links of {}", zone.name),
        links,
        nodes,
        more: (zone.not_drawn > 0).then(|| {
            format!(
                "{} more resources of this zone are not drawn (at most {} of each kind)",
                zone.not_drawn,
                crate::posture::MAX_NODES_PER_KIND
            )
        }),
    })
}

/// What a zone with nothing to draw shows instead.
pub const NOTHING: &str = "<p class=\"empty\">Nothing to draw: the zone declares no cluster, \
                           registry, Defender plan or diagnostic setting.</p>";

/// The drawing as inline SVG (its arrowhead is the page's shared `#arrow` marker).
pub fn svg(drawing: &Drawing) -> String {
    let Drawing { width, height, .. } = *drawing;
    let mut out = String::with_capacity(512 + drawing.nodes.len() * 400);
    let _ = write!(
        out,
        "<svg class=\"map\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\" role=\"img\"><title>{}</title>",
        text(&drawing.title)
    );
    for link in &drawing.links {
        let _ = write!(
            out,
            "<path class=\"link {}\" d=\"{}\" marker-end=\"url(#arrow)\"/>",
            link.class, link.path
        );
        if let Some((label, x, y)) = link.label {
            let cross = if link.class.ends_with(" cross") {
                " cross"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<text class=\"link-label{cross}\" x=\"{x}\" y=\"{y}\">{label}</text>"
            );
        }
    }
    for node in &drawing.nodes {
        let _ = write!(
            out,
            "<g class=\"node {}\" transform=\"translate({},{})\"><title>{}</title>\
             <rect width=\"{}\" height=\"{NODE_HEIGHT}\" rx=\"5\"/>\
             <text x=\"8\" y=\"16\" class=\"label\">{}</text>\
             <text x=\"8\" y=\"32\" class=\"detail\">{}</text>",
            node.class,
            node.x,
            node.y,
            node.tooltip
                .split('\n')
                .map(text)
                .collect::<Vec<_>>()
                .join("&#10;"),
            node.width,
            text(&shorten(&node.label, LABEL_CHARS)),
            text(&shorten(&node.detail, LABEL_CHARS + 4)),
        );
        if let Some((worst, total)) = node.badge {
            let cx = node.width - 4;
            let _ = write!(
                out,
                "<g class=\"badge sev-{}\"><circle cx=\"{cx}\" cy=\"0\" r=\"10\"/>\
                 <text x=\"{cx}\" y=\"4\">{total}</text></g>",
                super::html::SEVERITIES[worst].as_str()
            );
        }
        out.push_str("</g>");
    }
    if let Some(more) = &drawing.more {
        let _ = write!(
            out,
            "<text class=\"more\" x=\"{MARGIN}\" y=\"{}\">{}</text>",
            height - MARGIN,
            text(more)
        );
    }
    out.push_str("</svg>");
    out
}

/// The drawing as compact data for the page's script (`drawSvg` in page.js makes the same
/// SVG from it): `[width, height, title, links, nodes, more]`, a link `[class, path,
/// label, x, y]`, a node `[class, x, y, width, label, detail, tooltip, worst, count]`.
pub fn data(drawing: &Drawing, js: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(128 + drawing.nodes.len() * 160);
    let _ = write!(
        out,
        "[{},{},{},[",
        drawing.width,
        drawing.height,
        js(&drawing.title)
    );
    for (i, link) in drawing.links.iter().enumerate() {
        let (label, x, y) = link.label.unwrap_or(("", 0, 0));
        let _ = write!(
            out,
            "{}[{},{},{},{x},{y}]",
            if i > 0 { "," } else { "" },
            js(&link.class),
            js(&link.path),
            js(label)
        );
    }
    out.push_str("],[");
    for (i, node) in drawing.nodes.iter().enumerate() {
        let (worst, count) = node.badge.unwrap_or((0, 0));
        let _ = write!(
            out,
            "{}[{},{},{},{},{},{},{},{worst},{count}]",
            if i > 0 { "," } else { "" },
            js(&node.class),
            node.x,
            node.y,
            node.width,
            js(&shorten(&node.label, LABEL_CHARS)),
            js(&shorten(&node.detail, LABEL_CHARS + 4)),
            js(&node.tooltip)
        );
    }
    let _ = write!(
        out,
        "],{}]",
        drawing.more.as_deref().map_or("null".to_string(), &js)
    );
    out
}

fn node_shape(
    node: &Node,
    x: i64,
    y: i64,
    width: i64,
    zone: &str,
    sources: &Sources,
    findings_of: &HashMap<(&str, &str), [usize; 6]>,
) -> NodeShape {
    let place = node
        .at
        .map(|loc| {
            let super::LineSpan { line, .. } = super::span_lines(sources, loc);
            format!("{}:{line}", sources.get(loc.file).display)
        })
        .unwrap_or_default();
    let mut tooltip = format!("{}\n{}", node.label, node.detail);
    if !node.resource.is_empty() && node.resource != node.label {
        let _ = write!(tooltip, "\n{}", node.resource);
    }
    if !place.is_empty() {
        let _ = write!(tooltip, "\n{place}");
    }
    // Findings on this resource (not on a node of another zone: those are its own zone's).
    let badge =
        (node.zone.is_none() && node.kind != NodeKind::Unresolved && !node.resource.is_empty())
            .then(|| findings_of.get(&(zone, node.resource.as_str())))
            .flatten()
            .map(|counts| {
                let worst = counts.iter().position(|c| *c > 0).unwrap_or(5);
                (worst, counts.iter().sum())
            });
    NodeShape {
        class: format!(
            "{}{}",
            class(node.kind),
            if node.warn { " warn" } else { "" }
        ),
        x,
        y,
        width,
        label: node.label.clone(),
        detail: node.detail.clone(),
        tooltip,
        badge,
    }
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        return label.to_string();
    }
    let kept: String = label.chars().take(max - 1).collect();
    format!("{kept}…")
}
