use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::model::workload::lookup;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S006,
    check,
};

// Only an explicit Unconfined fires: absent means the runtime's default profile.
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (workload, object, container) in containers(ctx.model) {
        let field = workload.effective(container, "appArmorProfile");
        let unconfined_field = field.filter(|e| {
            e.value
                .get("type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.eq_ignore_ascii_case("Unconfined"))
        });
        let annotation_key = format!(
            "container.apparmor.security.beta.kubernetes.io/{}",
            container.name
        );
        let annotation = lookup(workload.pod_annotations(), &annotation_key).filter(|e| {
            e.value
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case("unconfined"))
        });
        let Some(entry) = unconfined_field.or(annotation) else {
            continue;
        };
        out.push(RULE.on_object(
            object,
            entry.key_loc.unwrap_or(container.anchor),
            format!("Container `{}` runs with AppArmor `Unconfined`: no mandatory access control limits it", container.name),
            "unconfined here",
            "Remove the Unconfined profile (the runtime default applies) or set `securityContext.appArmorProfile.type: RuntimeDefault`",
        ));
    }
}
