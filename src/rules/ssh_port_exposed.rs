use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S013,
    check,
};

fn is_22(value: &Value) -> bool {
    value.as_number() == Some(22.0)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let help = "Do not run SSH in containers; use `kubectl exec`/`kubectl debug` through Entra ID and Kubernetes RBAC";
    for (_, object, container) in containers(ctx.model) {
        for port in container
            .value()
            .get("ports")
            .and_then(Value::as_list)
            .unwrap_or(&[])
        {
            if let Some(entry) = port.entry("containerPort").filter(|e| is_22(&e.value)) {
                out.push(RULE.on_object(
                    object,
                    entry.key_loc.unwrap_or(container.anchor),
                    format!("Container `{}` exposes port 22: an SSH daemon in a container bypasses Kubernetes authentication and audit", container.name),
                    "SSH port",
                    help,
                ));
            }
        }
    }
    for object in ctx.model.objects.iter().filter(|o| o.kind == "Service") {
        for port in object
            .get(&["spec", "ports"])
            .and_then(Value::as_list)
            .unwrap_or(&[])
        {
            let entry = port
                .entry("port")
                .filter(|e| is_22(&e.value))
                .or_else(|| port.entry("targetPort").filter(|e| is_22(&e.value)));
            if let Some(entry) = entry {
                out.push(RULE.on_object(
                    object,
                    entry.key_loc.unwrap_or(object.header),
                    format!("Service `{}` exposes port 22 (SSH)", object.name),
                    "SSH port",
                    help,
                ));
            }
        }
    }
}
