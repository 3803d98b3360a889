use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::Model;
use crate::remedy::{Change, Remedy};
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S015,
    check,
};

/// A ServiceAccount named as a subject of a RoleBinding or ClusterRoleBinding.
struct Subject<'m> {
    zone: usize,
    /// None: the binding's namespace is chosen when it is applied.
    namespace: Option<&'m str>,
    name: &'m str,
}

/// The ServiceAccounts the scan's bindings grant something to: `kind: ServiceAccount`
/// subjects (namespace defaulting to the RoleBinding's, as the RBAC authorizer does) and
/// `kind: User` subjects spelled `system:serviceaccount:<namespace>:<name>`.
fn bound_accounts(model: &Model) -> Vec<Subject<'_>> {
    let mut out = Vec::new();
    for binding in &model.objects {
        if !matches!(binding.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            continue;
        }
        let binding_namespace = (binding.kind == "RoleBinding")
            .then(|| {
                binding
                    .get(&["metadata", "namespace"])
                    .and_then(Value::as_str)
            })
            .flatten();
        for subject in binding
            .get(&["subjects"])
            .and_then(Value::as_list)
            .unwrap_or(&[])
        {
            let field = |name: &str| subject.get(name).and_then(Value::as_str);
            match (field("kind"), field("name")) {
                (Some("ServiceAccount"), Some(name)) => out.push(Subject {
                    zone: binding.zone,
                    namespace: field("namespace").or(binding_namespace),
                    name,
                }),
                (Some("User"), Some(user)) => {
                    if let Some((namespace, name)) = user
                        .strip_prefix("system:serviceaccount:")
                        .and_then(|rest| rest.split_once(':'))
                    {
                        out.push(Subject {
                            zone: binding.zone,
                            namespace: Some(namespace),
                            name,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let bound = bound_accounts(model);
    for workload in &model.workloads {
        let object = &model.objects[workload.object];
        let account = workload
            .pod()
            .get("serviceAccountName")
            .or_else(|| workload.pod().get("serviceAccount"))
            .and_then(Value::as_str)
            .unwrap_or("default");
        // A ServiceAccount that a binding grants permissions to is there to call the API
        // (controllers, operators, CSI drivers): its pods need the token. A namespace left
        // to deployment time (absent) may be any.
        let namespace = object
            .get(&["metadata", "namespace"])
            .and_then(Value::as_str);
        if bound.iter().any(|s| {
            s.zone == object.zone
                && s.name == account
                && (s.namespace.is_none() || namespace.is_none() || s.namespace == namespace)
        }) {
            continue;
        }
        let pod_setting = workload.pod_entry(&["automountServiceAccountToken"]);
        match pod_setting.map(|e| &e.value) {
            Some(v) if v.as_bool() == Some(false) || v.is_unknown() => continue,
            Some(_) => {}
            None => {
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
