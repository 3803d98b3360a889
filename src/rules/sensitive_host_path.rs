use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S009,
    check,
};

const SENSITIVE: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/home",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run",
    "/run",
];
const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
];

pub fn sensitive(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.is_empty()
        || SOCKETS.iter().any(|s| path.ends_with(s))
        || SENSITIVE
            .iter()
            .any(|s| path == *s || path.starts_with(&format!("{s}/")))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for workload in &ctx.model.workloads {
        let object = &ctx.model.objects[workload.object];
        for volume in workload
            .pod()
            .get("volumes")
            .and_then(Value::as_list)
            .unwrap_or(&[])
        {
            let Some(path_entry) = volume.get("hostPath").and_then(|h| h.entry("path")) else {
                continue;
            };
            let Some(path) = path_entry.value.as_str() else {
                continue;
            };
            let name = volume.get("name").and_then(Value::as_str).unwrap_or("?");
            let at = path_entry.key_loc.unwrap_or(object.header);
            if sensitive(path) {
                out.push(RULE.on_object(
                    object,
                    at,
                    format!("Volume `{name}` mounts the host's `{path}`: it exposes the node (credentials, the container runtime, kernel interfaces) to the pod"),
                    "sensitive host path",
                    "Remove the hostPath volume; use a CSI driver, a projected volume or an emptyDir instead",
                ));
                continue;
            }
            // Any other host path is a medium finding when some container mounts it writable.
            let writable = workload.containers.iter().any(|c| {
                c.value()
                    .get("volumeMounts")
                    .and_then(Value::as_list)
                    .unwrap_or(&[])
                    .iter()
                    .any(|m| {
                        m.get("name").and_then(Value::as_str) == Some(name)
                            && m.get("readOnly").and_then(Value::as_bool) != Some(true)
                    })
            });
            if writable {
                let mut finding = RULE.on_object(
                    object,
                    at,
                    format!("Volume `{name}` mounts the host's `{path}` read-write: the pod can change files on the node"),
                    "writable host path",
                    "Mount it with `readOnly: true`, or replace the hostPath with a CSI or emptyDir volume",
                );
                finding.severity = Severity::Medium;
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sensitive_paths() {
        assert!(super::sensitive("/"));
        assert!(super::sensitive("/var/run/docker.sock"));
        assert!(super::sensitive("/etc/kubernetes"));
        assert!(!super::sensitive("/etcetera"));
        assert!(!super::sensitive("/var/log"));
    }
}
