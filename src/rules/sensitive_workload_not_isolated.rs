use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::workload::lookup;
use crate::model::Model;
use crate::severity::Severity;
use crate::value::Value;

pub const RULE: Rule = Rule {
    id: "K8S018",
    slug: "sensitive-workload-not-isolated",
    severity: Severity::Medium,
    summary: "A sensitive workload can be scheduled next to ordinary ones",
    doc: include_str!("../../rules/K8S018.md"),
    check,
};

/// A node taint `key=value:Effect` (or `key:Effect`).
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

fn tolerates(toleration: &Value, taint: &Taint) -> bool {
    let text = |k: &str| toleration.get(k).and_then(Value::as_str).unwrap_or("");
    let exists = text("operator") == "Exists";
    (text("key") == taint.key || (exists && text("key").is_empty()))
        && (exists || text("value") == taint.value)
        && (text("effect").is_empty() || text("effect") == taint.effect)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let label = ctx.settings.sensitivity_label.as_str();
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
            .settings
            .sensitive_values
            .iter()
            .any(|v| v.eq_ignore_ascii_case(level))
        {
            continue;
        }
        let tolerations = workload
            .pod
            .get("tolerations")
            .and_then(Value::as_list)
            .unwrap_or(&[]);
        let placed = workload
            .pod
            .get("nodeSelector")
            .and_then(Value::as_map)
            .is_some_and(|m| !m.is_empty())
            || workload
                .pod
                .get("affinity")
                .and_then(|a| a.get("nodeAffinity"))
                .is_some();
        // Taints of the zone's node pools, when the scan declares them.
        let mut taints = Vec::new();
        let mut taints_unknown = false;
        let pools = Model::in_zone(&model.index.clusters_by_zone, object.zone)
            .iter()
            .flat_map(|&c| model.clusters[c].pools.iter().chain(model.pools_of(c)));
        for pool in pools {
            match pool.taints.known() {
                Some(list) => {
                    taints.extend(list.iter().filter_map(|t| t.as_str().and_then(parse_taint)))
                }
                None => taints_unknown = true,
            }
        }
        let problem = if tolerations.is_empty() || !placed {
            Some("has no toleration and node selector or affinity that keep it on a dedicated, tainted node pool")
        } else if !taints.is_empty()
            && !taints_unknown
            && !tolerations
                .iter()
                .any(|t| taints.iter().any(|taint| tolerates(t, taint)))
        {
            Some("tolerates no taint of the landing zone's node pools")
        } else {
            None
        };
        let Some(problem) = problem else {
            continue;
        };
        let at = workload
            .pod_entry(&["tolerations"])
            .and_then(|e| e.key_loc)
            .or_else(|| lookup(workload.pod_labels(), label).and_then(|e| e.key_loc))
            .unwrap_or(object.header);
        out.push(RULE.on_object(
            object,
            at,
            format!("Workload `{}` is labelled `{label}: {level}` but {problem}: the scheduler may place it next to less trusted pods", object.name),
            "sensitive workload",
            "Taint a dedicated node pool (e.g. `aksguard.io/sensitivity=high:NoSchedule`), and give the pod the matching toleration and a nodeSelector for that pool",
        ));
    }
}
