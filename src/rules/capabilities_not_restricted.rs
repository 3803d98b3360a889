use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S007,
    check,
};

const DANGEROUS: &[&str] = &["SYS_ADMIN", "NET_ADMIN", "NET_RAW", "ALL"];

fn names(list: Option<&crate::value::Value>) -> Option<Vec<String>> {
    match list {
        None => Some(Vec::new()),
        Some(v) => v
            .as_list()?
            .iter()
            .map(|c| {
                c.as_str()
                    .map(|s| s.trim_start_matches("CAP_").to_ascii_uppercase())
            })
            .collect(),
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let capabilities = container.security("capabilities");
        let caps = capabilities.map(|e| &e.value);
        let (Some(add), Some(drop)) = (
            names(caps.and_then(|c| c.get("add"))),
            names(caps.and_then(|c| c.get("drop"))),
        ) else {
            continue;
        };
        let extra: Vec<&String> = add.iter().filter(|c| *c != "NET_BIND_SERVICE").collect();
        let drops_all = drop.iter().any(|c| c == "ALL");
        if extra.is_empty() && drops_all {
            continue;
        }
        let dangerous = extra.iter().any(|c| DANGEROUS.contains(&c.as_str()));
        let add_entry = caps.and_then(|c| c.entry("add"));
        let (at, message) = if !extra.is_empty() {
            (
                add_entry.and_then(|e| e.key_loc),
                format!(
                    "Container `{}` adds capabilit{} {}",
                    container.name,
                    if extra.len() == 1 { "y" } else { "ies" },
                    extra
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        } else {
            (
                caps.and_then(|c| c.entry("drop")).and_then(|e| e.key_loc),
                format!("Container `{}` does not drop ALL capabilities: it keeps the runtime's default set (NET_RAW, ...)", container.name),
            )
        };
        let at = at
            .or(capabilities.and_then(|e| e.key_loc))
            .unwrap_or(container.anchor);
        let mut finding = RULE.on_object(
            object,
            at,
            message,
            "capabilities here",
            "Set `securityContext.capabilities: { drop: [ALL] }` and add back only `NET_BIND_SERVICE` if the container binds a low port",
        );
        if dangerous {
            finding.severity = Severity::High;
        }
        out.push(finding);
    }
}
