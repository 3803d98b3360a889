use super::{Context, Rule};
use crate::finding::Finding;
use crate::fix::{Change, Remedy};
use crate::severity::Severity;
use crate::value::Value;

pub const RULE: Rule = Rule {
    id: "K8S015",
    slug: "service-account-token-automounted",
    severity: Severity::Low,
    summary: "The pod gets a Kubernetes API token it probably does not need",
    doc: include_str!("../../rules/K8S015.md"),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for workload in &model.workloads {
        let object = &model.objects[workload.object];
        let pod_setting = workload.pod_entry(&["automountServiceAccountToken"]);
        match pod_setting.map(|e| &e.value) {
            Some(v) if v.as_bool() == Some(false) || v.is_unknown() => continue,
            Some(_) => {}
            None => {
                let account = workload
                    .pod
                    .get("serviceAccountName")
                    .or_else(|| workload.pod.get("serviceAccount"))
                    .and_then(Value::as_str)
                    .unwrap_or("default");
                let key = (
                    object.zone,
                    "ServiceAccount".to_string(),
                    object.namespace.clone(),
                    account.to_string(),
                );
                let declared = model.index.objects.get(&key).map(|&i| &model.objects[i]);
                if declared
                    .and_then(|sa| sa.get(&["automountServiceAccountToken"]))
                    .and_then(Value::as_bool)
                    == Some(false)
                {
                    continue;
                }
            }
        }
        out.push(RULE.on_object(
            object,
            pod_setting.and_then(|e| e.key_loc).unwrap_or(object.header),
            "The pod mounts a service account token: a compromised container can call the Kubernetes API with it".to_string(),
            "token automounted",
            "Set `automountServiceAccountToken: false` on the pod or its ServiceAccount (workload identity uses its own projected token)",
        ).with_remedy(pod_setting.and_then(|e| e.key_loc).and_then(|at| {
            // A pod that talks to the Kubernetes API loses its credentials.
            Remedy::new("Set `automountServiceAccountToken: false`", vec![Some(Change::written(at, false.into()))])
                .map(|r| r.needs_review("the pod may call the Kubernetes API"))
        })));
    }
}
