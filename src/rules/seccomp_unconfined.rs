use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::model::workload::lookup;
use crate::remedy::{Change, Literal, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S005,
    check,
};

const LEGACY_CONFINED: &[&str] = &["runtime/default", "docker/default"];

fn legacy_confined(value: Option<&str>) -> bool {
    value.is_some_and(|v| LEGACY_CONFINED.contains(&v) || v.starts_with("localhost/"))
}

// RuntimeDefault and Localhost are both confined (Checkov's CKV_K8S_31 rejects Localhost).
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (workload, object, container) in containers(ctx.model) {
        let profile = workload.effective(container, "seccompProfile");
        let kind = profile.and_then(|e| e.value.get("type"));
        if kind.is_some_and(|k| k.is_unknown()) {
            continue;
        }
        let kind = kind.and_then(|k| k.as_str());
        if matches!(kind, Some("RuntimeDefault") | Some("Localhost")) {
            continue;
        }
        if kind.is_none() {
            let annotations = workload.pod_annotations();
            let own = format!(
                "container.seccomp.security.alpha.kubernetes.io/{}",
                container.name
            );
            let legacy = lookup(annotations, &own)
                .or_else(|| lookup(annotations, "seccomp.security.alpha.kubernetes.io/pod"))
                .and_then(|e| e.value.as_str());
            if legacy_confined(legacy) {
                continue;
            }
        }
        let (at, label) = match (profile, kind) {
            (Some(e), Some(_)) => (e.key_loc.unwrap_or(container.anchor), "unconfined here"),
            _ => (
                container.anchor,
                "no seccomp profile on the container or its pod",
            ),
        };
        let runtime_default = || Literal::str("RuntimeDefault");
        let change = match profile {
            // `type: Unconfined` where it is written, pod or container.
            Some(e) => e
                .value
                .entry("type")
                .and_then(|t| t.key_loc)
                .map(|at| Change::written(at, runtime_default())),
            None => Some(Change::absent(
                container.anchor,
                "securityContext.seccompProfile.type",
                runtime_default(),
            )),
        };
        out.push(RULE.on_object(
            object,
            at,
            format!("Container `{}` runs without a seccomp profile: every system call reaches the node's kernel", container.name),
            label,
            "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a custom profile)",
        ).with_remedy(Remedy::new("Use the `RuntimeDefault` seccomp profile", vec![change])));
    }
}
