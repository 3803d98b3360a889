use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S004,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let entry = container.security("readOnlyRootFilesystem");
        match entry.map(|e| &e.value) {
            Some(v) if v.as_bool() == Some(true) || v.is_unknown() => continue,
            _ => {}
        }
        let (at, label) = match entry {
            Some(e) => (e.key_loc.unwrap_or(container.anchor), "not read-only here"),
            None => (
                container.anchor,
                "`readOnlyRootFilesystem` is absent: the root filesystem is writable",
            ),
        };
        let change = match entry {
            Some(e) => e.key_loc.map(|at| Change::written(at, true.into())),
            None => Some(Change::absent(
                container.anchor,
                "securityContext.readOnlyRootFilesystem",
                true.into(),
            )),
        };
        // An application that writes outside its volumes fails once this is on.
        let remedy = Remedy::new("Set `readOnlyRootFilesystem: true`", vec![change])
            .map(|r| r.needs_review("the application may need an emptyDir where it writes"));
        out.push(RULE.on_object(
            object,
            at,
            format!("Container `{}` has a writable root filesystem: an intruder can drop tools and persist changes", container.name),
            label,
            "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the application must write",
        ).with_remedy(remedy));
    }
}
