use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S003,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (workload, object, container) in containers(ctx.model) {
        let user = workload.effective(container, "runAsUser");
        let non_root = workload.effective(container, "runAsNonRoot");
        if user.is_some_and(|e| e.value.is_unknown())
            || non_root.is_some_and(|e| e.value.is_unknown())
        {
            continue;
        }
        let (at, label) = if let Some(e) = user.filter(|e| e.value.as_number() == Some(0.0)) {
            (e.key_loc.unwrap_or(container.anchor), "runs as UID 0 here")
        } else if non_root.and_then(|e| e.value.as_bool()) == Some(true)
            // An explicit non-zero UID cannot be overridden by the image: not root either
            // (KICS agrees; Checkov's CKV_K8S_23 wants the flag as well).
            || user.is_some_and(|e| e.value.as_number().is_some_and(|uid| uid > 0.0))
        {
            continue;
        } else if let Some(e) = non_root {
            (
                e.key_loc.unwrap_or(container.anchor),
                "`runAsNonRoot` is not true",
            )
        } else {
            (
                container.anchor,
                "neither the pod nor the container sets `runAsNonRoot: true`",
            )
        };
        // With `runAsUser: 0` written, `runAsNonRoot: true` would only stop the pod: no fix.
        let change = match (user, non_root) {
            (Some(u), _) if u.value.as_number() == Some(0.0) => None,
            (_, Some(e)) => e.key_loc.map(|at| Change::written(at, true.into())),
            (_, None) => Some(Change::absent(
                container.anchor,
                "securityContext.runAsNonRoot",
                true.into(),
            )),
        };
        // The kubelet refuses to start an image whose user is root: review first.
        let remedy = Remedy::new("Set `runAsNonRoot: true`", vec![change])
            .map(|r| r.needs_review("the image may run as root"));
        out.push(RULE.on_object(
            object,
            at,
            format!("Container `{}` may run as root: a container breakout starts with root on the node", container.name),
            label,
            "Set `securityContext.runAsNonRoot: true` with a non-zero `runAsUser` on the pod or the container",
        ).with_remedy(remedy));
    }
}
