use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S008,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for workload in &ctx.model.workloads {
        let object = &ctx.model.objects[workload.object];
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            let Some(entry) = workload.pod_entry(&[field]) else {
                continue;
            };
            if entry.value.as_bool() != Some(true) {
                continue;
            }
            out.push(RULE.on_object(
                object,
                entry.key_loc.unwrap_or(object.header),
                format!("The pod sets `{field}: true`: it shares the node's namespace and sees (or reaches) the node's processes and traffic"),
                "shared here",
                &format!("Remove `{field}: true`"),
            ).with_remedy(entry.key_loc.and_then(|at| {
                Remedy::new(format!("Set `{field}: false`"), vec![Some(Change::written(at, false.into()))])
            })));
        }
    }
}
