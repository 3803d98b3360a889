use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S001,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let Some(entry) = container.security("privileged") else {
            continue;
        };
        if entry.value.as_bool() != Some(true) {
            continue;
        }
        let at = entry.key_loc.unwrap_or(container.anchor);
        let remedy = entry.key_loc.and_then(|at| {
            Remedy::new(
                "Set `privileged: false`",
                vec![Some(Change::written(at, false.into()))],
            )
        });
        out.push(RULE.on_object(
            object,
            at,
            format!("Container `{}` runs privileged: it has every capability and the host's devices, one step from the node", container.name),
            "privileged here",
            "Remove `privileged: true`; grant only the specific capability the container needs",
        ).with_remedy(remedy));
    }
}
