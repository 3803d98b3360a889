use super::{catalogue, corp_zone, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::field::State;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS021,
    check,
};

/// Outbound types that send pod egress to the internet without passing anything that could
/// filter it; `userDefinedRouting` (through a firewall or appliance), `none` and `block`
/// are controlled.
const UNCONTROLLED: &[&str] = &[
    "loadBalancer",
    "managedNATGateway",
    "userAssignedNATGateway",
];

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let corp = corp_zone(ctx.model, cluster.landing_zone);
        if !corp && !ctx.config.cluster.require_egress_control {
            continue;
        }
        let Some(found) = cluster.outbound_type.known() else {
            continue;
        };
        let Some(kind) = UNCONTROLLED.iter().find(|k| k.eq_ignore_ascii_case(found)) else {
            continue;
        };
        let how = if cluster.outbound_type.state == State::Default {
            format!("no outbound type is set, so it is `{kind}` (the default)")
        } else {
            format!("the outbound type is `{found}`")
        };
        let through = match *kind {
            "loadBalancer" => "the cluster's public load balancer",
            _ => "a NAT gateway",
        };
        let why = if corp {
            "`corp` landing zones must route egress through the hub firewall, so containers \
             cannot reach (or leak data to) destinations outside their sensitivity boundary"
        } else {
            "`[cluster] require-egress-control` asks that egress pass a firewall, so containers \
             cannot reach (or leak data to) destinations outside their sensitivity boundary"
        };
        out.push(RULE.at_field(
            cluster,
            &cluster.outbound_type,
            format!(
                "Pod egress leaves for the internet through {through}, filtered by nothing: \
                 {how}; {why}"
            ),
            format!(
                "{} with a route table on the node subnet whose default route (0.0.0.0/0) \
                 points at Azure Firewall or a network virtual appliance",
                spelling::set(
                    cluster,
                    &f::OUTBOUND_TYPE,
                    "\"userDefinedRouting\"",
                    "'userDefinedRouting'"
                )
            ),
        ));
    }
}
