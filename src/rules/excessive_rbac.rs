use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S016,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for object in &ctx.model.objects {
        match object.kind.as_str() {
            "ClusterRoleBinding" | "RoleBinding" => {
                let Some(entry) = object.entry(&["roleRef", "name"]) else {
                    continue;
                };
                // A namespaced Role that happens to be called cluster-admin is not the ClusterRole.
                let role_kind = object.get(&["roleRef", "kind"]).and_then(Value::as_str);
                if entry.value.as_str() != Some("cluster-admin") || role_kind == Some("Role") {
                    continue;
                }
                out.push(RULE.on_object(
                    object,
                    entry.key_loc.unwrap_or(object.header),
                    format!("{} `{}` grants `cluster-admin`: its subjects can do anything in the cluster", object.kind, object.name),
                    "cluster-admin",
                    "Bind a Role with only the verbs and resources the subject needs, in its own namespace",
                ));
            }
            "ClusterRole" | "Role" => {
                for rule in object
                    .get(&["rules"])
                    .and_then(Value::as_list)
                    .unwrap_or(&[])
                {
                    for field in ["verbs", "resources", "apiGroups"] {
                        let Some(entry) = rule.entry(field) else {
                            continue;
                        };
                        let wildcard = entry
                            .value
                            .as_list()
                            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some("*")));
                        if wildcard {
                            out.push(RULE.on_object(
                                object,
                                entry.key_loc.unwrap_or(object.header),
                                format!("{} `{}` uses `*` in `{field}`: it grants every present and future {field}", object.kind, object.name),
                                "wildcard",
                                "List the exact verbs, resources and API groups the role needs",
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
