use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::cluster::{NodeLabel, NodePool};
use crate::model::workload::{lookup, Workload};
use crate::model::Model;
use crate::source::Loc;
use crate::value::{Entry, Value};
use std::collections::{HashMap, HashSet};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S018,
    check,
};

/// A node taint `key=value:Effect` (or `key:Effect`).
#[derive(Clone)]
struct Taint {
    key: String,
    value: String,
    effect: String,
}

fn parse_taint(text: &str) -> Option<Taint> {
    let (kv, effect) = text.rsplit_once(':')?;
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    Some(Taint {
        key: key.to_string(),
        value: value.to_string(),
        effect: effect.to_string(),
    })
}

/// `NoSchedule` and `NoExecute` keep pods without the toleration off a node;
/// `PreferNoSchedule` only asks the scheduler to avoid it.
fn keeps_pods_off(taint: &Taint) -> bool {
    taint.effect == "NoSchedule" || taint.effect == "NoExecute"
}

fn tolerates(toleration: &Value, taint: &Taint) -> bool {
    let text = |k: &str| toleration.get(k).and_then(Value::as_str).unwrap_or("");
    let exists = text("operator") == "Exists";
    (text("key") == taint.key || (exists && text("key").is_empty()))
        && (exists || text("value") == taint.value)
        && (text("effect").is_empty() || text("effect") == taint.effect)
}

/// The node pools of one landing zone's clusters.
struct ZonePools<'m> {
    taints: Vec<Taint>,
    taints_unknown: bool,
    /// Every pool with its taints; `None` when the scan cannot say which pools exist or
    /// what they are tainted with (a hidden pool list, a pool not linked to its cluster, a
    /// taint written as an unresolved expression).
    complete: Option<Vec<(&'m NodePool, Vec<Taint>)>>,
}

fn zone_pools<'m>(
    model: &'m Model,
    zone: usize,
    unlinked_pool_zones: &HashSet<usize>,
) -> ZonePools<'m> {
    let clusters = Model::in_zone(&model.index.clusters_by_zone, zone);
    let mut zone_pools = ZonePools {
        taints: Vec::new(),
        taints_unknown: false,
        complete: (!clusters.is_empty()
            && clusters.iter().all(|&c| model.clusters[c].pools_known)
            && !unlinked_pool_zones.contains(&zone))
        .then(Vec::new),
    };
    let pools = clusters
        .iter()
        .flat_map(|&c| model.clusters[c].pools.iter().chain(model.pools_of(c)));
    for pool in pools {
        let Some(list) = pool.taints.known() else {
            zone_pools.taints_unknown = true;
            zone_pools.complete = None;
            continue;
        };
        let taints: Vec<Taint> = list
            .iter()
            .filter_map(|t| t.as_str().and_then(parse_taint))
            .collect();
        if list.iter().any(Value::has_unknown) {
            zone_pools.complete = None;
        }
        zone_pools.taints.extend(taints.iter().cloned());
        if let Some(complete) = &mut zone_pools.complete {
            complete.push((pool, taints));
        }
    }
    zone_pools
}

/// Whether a pod may run on a pool, as far as the scan tells: a label written as an
/// unresolved expression, or one AKS sets from facts the model lacks, leaves it undecided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Yes,
    No,
    Undecided,
}

impl From<bool> for Decision {
    fn from(yes: bool) -> Decision {
        if yes {
            Decision::Yes
        } else {
            Decision::No
        }
    }
}

/// Every requirement holds: one that fails decides, even beside undecided ones.
fn all_hold(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let mut result = Decision::Yes;
    for decision in decisions {
        match decision {
            Decision::No => return Decision::No,
            Decision::Undecided => result = Decision::Undecided,
            Decision::Yes => {}
        }
    }
    result
}

/// Some alternative holds: one that holds decides, even beside undecided ones.
fn any_holds(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let mut result = Decision::No;
    for decision in decisions {
        match decision {
            Decision::Yes => return Decision::Yes,
            Decision::Undecided => result = Decision::Undecided,
            Decision::No => {}
        }
    }
    result
}

/// `nodeSelector`: every key must carry exactly its value.
fn node_selector_matches(selector: &[Entry], pool: &NodePool) -> Decision {
    all_hold(selector.iter().map(|entry| {
        match (entry.value.to_text(), pool.node_label(&entry.key)) {
            (None, _) | (_, NodeLabel::Unknown) => Decision::Undecided,
            (Some(wanted), NodeLabel::Value(value)) => (wanted == value).into(),
            (Some(_), NodeLabel::Absent) => Decision::No,
        }
    }))
}

/// `requiredDuringSchedulingIgnoredDuringExecution`: the pod may use a node that matches
/// any of the terms.
fn required_affinity_matches(required: &Value, pool: &NodePool) -> Decision {
    match required.get("nodeSelectorTerms").and_then(Value::as_list) {
        Some(terms) => any_holds(terms.iter().map(|term| term_matches(term, pool))),
        None => Decision::Undecided,
    }
}

/// A term holds when all its expressions do; Kubernetes matches no node with an empty term.
fn term_matches(term: &Value, pool: &NodePool) -> Decision {
    let expressions = term
        .get("matchExpressions")
        .and_then(Value::as_list)
        .unwrap_or(&[]);
    let fields = term
        .get("matchFields")
        .and_then(Value::as_list)
        .unwrap_or(&[]);
    if expressions.is_empty() && fields.is_empty() {
        return Decision::No;
    }
    // `matchFields` names nodes (`metadata.name`), which do not exist before deployment.
    let by_field = fields.iter().map(|_| Decision::Undecided);
    all_hold(
        expressions
            .iter()
            .map(|expression| expression_holds(expression, pool))
            .chain(by_field),
    )
}

fn expression_holds(expression: &Value, pool: &NodePool) -> Decision {
    let Some(key) = expression.get("key").and_then(Value::as_str) else {
        return Decision::Undecided;
    };
    let values: Option<Vec<String>> = match expression.get("values") {
        None => Some(Vec::new()),
        Some(list) => list
            .as_list()
            .and_then(|items| items.iter().map(Value::to_text).collect()),
    };
    let operator = expression.get("operator").and_then(Value::as_str);
    let label = pool.node_label(key);
    match (operator, label, values) {
        (_, NodeLabel::Unknown, _) => Decision::Undecided,
        (Some("Exists"), label, _) => (label != NodeLabel::Absent).into(),
        (Some("DoesNotExist"), label, _) => (label == NodeLabel::Absent).into(),
        (Some("In"), NodeLabel::Value(value), Some(values)) => values.contains(&value).into(),
        (Some("In"), NodeLabel::Absent, _) => Decision::No,
        (Some("NotIn"), NodeLabel::Value(value), Some(values)) => (!values.contains(&value)).into(),
        (Some("NotIn"), NodeLabel::Absent, _) => Decision::Yes,
        // `Gt` / `Lt` compare numbers no pool label here is meant to hold.
        _ => Decision::Undecided,
    }
}

/// How the pod spec pins its pods to nodes: `nodeSelector` and required node affinity,
/// both of which must hold when both are given.
struct Pinning<'w> {
    node_selector: Option<(&'w [Entry], Loc)>,
    required_affinity: Option<(&'w Value, Loc)>,
}

fn pinning(workload: &Workload, fallback: Loc) -> Option<Pinning<'_>> {
    let node_selector = workload
        .pod_entry(&["nodeSelector"])
        .and_then(|e| Some((e.value.as_map()?, e.key_loc.unwrap_or(fallback))))
        .filter(|(selector, _)| !selector.is_empty());
    let required_affinity = workload
        .pod()
        .get("affinity")
        .and_then(|a| a.get("nodeAffinity"))
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .map(|required| {
            let at = workload
                .pod_entry(&["affinity"])
                .and_then(|e| e.key_loc)
                .unwrap_or(fallback);
            (required, at)
        });
    (node_selector.is_some() || required_affinity.is_some()).then_some(Pinning {
        node_selector,
        required_affinity,
    })
}

/// What is wrong with a sensitive workload's placement, and where to say it.
struct Problem {
    /// Follows "Workload `x` is labelled `label: level` but".
    message: String,
    at: Loc,
    /// The node pools the workload is pinned to, shown as notes.
    pools: Vec<Loc>,
}

fn pinning_problem(
    pinning: &Pinning,
    pools: &[(&NodePool, Vec<Taint>)],
    tolerations: &[Value],
) -> Option<Problem> {
    let mut by_selector = Vec::new();
    let mut by_affinity = Vec::new();
    let mut usable = Vec::new();
    for (pool, taints) in pools {
        let selector = pinning
            .node_selector
            .map_or(Decision::Yes, |(s, _)| node_selector_matches(s, pool));
        let affinity = pinning
            .required_affinity
            .map_or(Decision::Yes, |(r, _)| required_affinity_matches(r, pool));
        match all_hold([selector, affinity]) {
            Decision::Undecided => return None,
            Decision::Yes => usable.push((*pool, taints)),
            Decision::No => {}
        }
        by_selector.push(selector);
        by_affinity.push(affinity);
    }
    let both = "its node selector with its required node affinity";
    let (what, at) = match (pinning.node_selector, pinning.required_affinity) {
        (Some((_, at)), None) => ("its node selector", at),
        (None, Some((_, at))) => ("its required node affinity", at),
        // Both: blame the one that alone leaves no pool, when one does.
        (Some((_, at)), Some(_))
            if usable.is_empty() && by_selector.iter().all(|&d| d == Decision::No) =>
        {
            ("its node selector", at)
        }
        (Some(_), Some((_, at)))
            if usable.is_empty() && by_affinity.iter().all(|&d| d == Decision::No) =>
        {
            ("its required node affinity", at)
        }
        (Some((_, at)), Some(_)) => (both, at),
        (None, None) => return None,
    };
    if usable.is_empty() {
        return Some(Problem {
            message: format!("{what} matches no node pool of the landing zone: its pods cannot be placed on a dedicated pool"),
            at,
            pools: Vec::new(),
        });
    }
    let tolerated = |taints: &[Taint]| {
        taints
            .iter()
            .any(|taint| tolerations.iter().any(|t| tolerates(t, taint)))
    };
    if usable.iter().any(|(_, taints)| tolerated(taints)) {
        // Pinned to its dedicated pool, but the selection also reaches a pool that keeps
        // nobody off: the scheduler is free to use either.
        let shared: Vec<_> = usable
            .iter()
            .filter(|(_, taints)| !taints.iter().any(keeps_pods_off))
            .collect();
        if shared.is_empty() {
            return None;
        }
        let names = shared
            .iter()
            .map(|(pool, _)| format!("`{}`", pool.label))
            .collect::<Vec<_>>()
            .join(", ");
        let pool_or_pools = if shared.len() == 1 {
            "node pool"
        } else {
            "node pools"
        };
        return Some(Problem {
            message: format!(
                "{what} also matches {pool_or_pools} {names}, which no taint keeps ordinary pods off: the scheduler may place it there, next to less trusted pods"
            ),
            at,
            pools: shared.iter().map(|(pool, _)| pool.header).collect(),
        });
    }
    let pool_or_pools = if usable.len() == 1 {
        "node pool"
    } else {
        "node pools"
    };
    let names = usable
        .iter()
        .map(|(pool, _)| format!("`{}`", pool.label))
        .collect::<Vec<_>>()
        .join(", ");
    let consequence = if usable.iter().any(|(_, taints)| taints.is_empty()) {
        "no taint keeps ordinary pods off it, so the scheduler may place it next to less trusted pods"
    } else {
        "its pods cannot be scheduled there, and the pool whose taint it tolerates is not the one it selects"
    };
    Some(Problem {
        message: format!(
            "{what} only matches {pool_or_pools} {names}, with no taint it tolerates: {consequence}"
        ),
        at,
        pools: usable.iter().map(|(pool, _)| pool.header).collect(),
    })
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let label = ctx.config.kubernetes.sensitivity_label.as_str();
    let unlinked_pool_zones: HashSet<usize> = model
        .node_pools
        .iter()
        .filter(|pool| pool.cluster.is_none())
        .map(|pool| pool.landing_zone)
        .collect();
    let mut pools_by_zone: HashMap<usize, ZonePools> = HashMap::new();
    for workload in &model.workloads {
        let object = &model.objects[workload.object];
        let namespace_label = model
            .namespace_object(object.zone, &object.namespace)
            .and_then(|ns| ns.get(&["metadata", "labels", label]))
            .and_then(Value::as_str);
        let pod_label = lookup(workload.pod_labels(), label).and_then(|e| e.value.as_str());
        let Some(level) = pod_label.or(namespace_label) else {
            continue;
        };
        if !ctx
            .config
            .kubernetes
            .sensitive_values
            .iter()
            .any(|v| v.eq_ignore_ascii_case(level))
        {
            continue;
        }
        let tolerations = workload
            .pod()
            .get("tolerations")
            .and_then(Value::as_list)
            .unwrap_or(&[]);
        let placed = workload
            .pod()
            .get("nodeSelector")
            .and_then(Value::as_map)
            .is_some_and(|m| !m.is_empty())
            || workload
                .pod()
                .get("affinity")
                .and_then(|a| a.get("nodeAffinity"))
                .is_some();
        let anchor = workload
            .pod_entry(&["tolerations"])
            .and_then(|e| e.key_loc)
            .or_else(|| lookup(workload.pod_labels(), label).and_then(|e| e.key_loc))
            .unwrap_or(object.header);
        let next_to_others = "the scheduler may place it next to less trusted pods";
        let problem = if tolerations.is_empty() || !placed {
            Some(Problem {
                message: format!("has no toleration and node selector or affinity that keep it on a dedicated, tainted node pool: {next_to_others}"),
                at: anchor,
                pools: Vec::new(),
            })
        } else {
            let zone = pools_by_zone
                .entry(object.zone)
                .or_insert_with(|| zone_pools(model, object.zone, &unlinked_pool_zones));
            if !zone.taints.is_empty()
                && !zone.taints_unknown
                && !tolerations
                    .iter()
                    .any(|t| zone.taints.iter().any(|taint| tolerates(t, taint)))
            {
                Some(Problem {
                    message: format!(
                        "tolerates no taint of the landing zone's node pools: {next_to_others}"
                    ),
                    at: anchor,
                    pools: Vec::new(),
                })
            } else {
                match (&zone.complete, pinning(workload, anchor)) {
                    // A cluster whose pools are all declared elsewhere tells nothing.
                    (Some(pools), Some(pinning)) if !pools.is_empty() => {
                        pinning_problem(&pinning, pools, tolerations)
                    }
                    _ => None,
                }
            }
        };
        let Some(problem) = problem else {
            continue;
        };
        let mut finding = RULE.on_object(
            object,
            problem.at,
            format!(
                "Workload `{}` is labelled `{label}: {level}` but {}",
                object.name, problem.message
            ),
            "sensitive workload",
            "Taint a dedicated node pool (e.g. `aksguard.io/sensitivity=high:NoSchedule`), and give the pod the matching toleration and a nodeSelector for that pool",
        );
        for pool in problem.pools {
            finding
                .notes
                .push((pool, "the node pool it is pinned to".to_string()));
        }
        out.push(finding);
    }
}
