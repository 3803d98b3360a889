use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S002,
    check,
};

// Absent means allowed: the kubelet defaults allowPrivilegeEscalation to true.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let entry = container.security("allowPrivilegeEscalation");
        if entry.map(|e| e.value.as_bool()) == Some(Some(false)) {
            continue;
        }
        if entry.is_some_and(|e| e.value.is_unknown()) {
            continue;
        }
        let (at, label) = match entry {
            Some(e) => (e.key_loc.unwrap_or(container.anchor), "allowed here"),
            None => (
                container.anchor,
                "`allowPrivilegeEscalation` is absent: it defaults to true",
            ),
        };
        let change = match entry {
            Some(e) => e.key_loc.map(|at| Change::written(at, false.into())),
            None => Some(Change::absent(
                container.anchor,
                "securityContext.allowPrivilegeEscalation",
                false.into(),
            )),
        };
        let remedy = Remedy::new("Set `allowPrivilegeEscalation: false`", vec![change]);
        out.push(RULE.on_object(
            object,
            at,
            format!("Container `{}` allows privilege escalation (setuid binaries and file capabilities can raise its privileges)", container.name),
            label,
            "Set `securityContext.allowPrivilegeEscalation: false` on the container",
        ).with_remedy(remedy));
    }
}
