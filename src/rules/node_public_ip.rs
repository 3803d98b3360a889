use super::{all_pools, catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS020,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in all_pools(ctx.model) {
        if pool.public_ip.known() != Some(&true) {
            continue;
        }
        let name = pool.label.as_str();
        let remedy = set_field(
            pool,
            &pool.public_ip,
            false.into(),
            false.into(),
            "Take the public IPs off the nodes",
        );
        out.push(
            RULE.at_field(
                pool,
                &pool.public_ip,
                format!(
                    "Node pool `{name}` gives every node a public IP address: each node is \
                     reachable from the internet, past the cluster's load balancer and firewall"
                ),
                format!(
                    "{}, or remove it; reach nodes through the virtual network",
                    spelling::set(pool, &f::POOL_PUBLIC_IP, "false", "false")
                )
                .to_string(),
            )
            .with_remedy(remedy),
        );
    }
}
