use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::workload::lookup;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S017,
    check,
};

const INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for object in ctx.model.objects.iter().filter(|o| o.kind == "Service") {
        let Some(kind) = object.entry(&["spec", "type"]) else {
            continue;
        };
        if kind.value.as_str() != Some("LoadBalancer") {
            continue;
        }
        let internal = lookup(object.annotations(), INTERNAL).and_then(|e| e.value.as_bool());
        if internal == Some(true) {
            continue;
        }
        out.push(RULE.on_object(
            object,
            kind.key_loc.unwrap_or(object.header),
            format!("Service `{}` is a public load balancer: it is reachable from the internet, bypassing the hub's firewall and WAF", object.name),
            "public LoadBalancer",
            "Annotate it with `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"` and publish through the hub's Application Gateway or Front Door",
        ));
    }
}
