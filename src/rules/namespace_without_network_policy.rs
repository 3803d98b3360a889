use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::workload::Object;
use crate::value::Value;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S014,
    check,
};

/// Which directions a NetworkPolicy covers for every pod of its namespace.
fn covers_all_pods(policy: &Object) -> (bool, bool) {
    // An omitted podSelector is an empty one: it selects every pod of the namespace.
    let selects_all = match policy.get(&["spec", "podSelector"]) {
        None => true,
        Some(s) => s.as_map().is_some_and(|m| m.is_empty()) || s.is_null(),
    };
    if !selects_all {
        return (false, false);
    }
    let types: Vec<String> = policy
        .get(&["spec", "policyTypes"])
        .and_then(Value::as_list)
        .map(|l| {
            l.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| {
            // Without policyTypes, Ingress is implied and Egress only when egress rules exist
            // (an empty `egress: []` adds nothing, as in the API server's defaulting).
            let mut t = vec!["Ingress".to_string()];
            if policy
                .get(&["spec", "egress"])
                .and_then(Value::as_list)
                .is_some_and(|rules| !rules.is_empty())
            {
                t.push("Egress".to_string());
            }
            t
        });
    (
        types.iter().any(|t| t == "Ingress"),
        types.iter().any(|t| t == "Egress"),
    )
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    // Namespace -> the first workload object in it (file order), for the anchor.
    let mut namespaces: BTreeMap<(usize, &str), &Object> = BTreeMap::new();
    for workload in &model.workloads {
        let object = &model.objects[workload.object];
        namespaces
            .entry((object.zone, object.namespace.as_str()))
            .or_insert(object);
    }
    for ((zone, namespace), first) in namespaces {
        let (mut ingress, mut egress) = (false, false);
        let policies = model
            .index
            .network_policies
            .get(&(zone, namespace.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for policy in policies.iter().map(|&i| &model.objects[i]) {
            let (i, e) = covers_all_pods(policy);
            ingress |= i;
            egress |= e;
        }
        if ingress && egress {
            continue;
        }
        let missing = match (ingress, egress) {
            (false, false) => "ingress and egress",
            (false, true) => "ingress",
            _ => "egress",
        };
        let declared = model.namespace_object(zone, namespace);
        let anchor = declared.unwrap_or(first);
        let mut finding = RULE.on_object(
            anchor,
            anchor.header,
            format!("Namespace `{namespace}` runs workloads but no NetworkPolicy denies {missing} by default for all its pods"),
            "namespace without default-deny",
            "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]`, then allow only the flows each workload needs",
        );
        finding.resource = format!("Namespace/{namespace}");
        out.push(finding);
    }
}
