use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use std::net::IpAddr;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS002,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let min_v4 = ctx.config.api_server.min_prefix_length;
    for cluster in &ctx.model.clusters {
        // A private API server ignores authorized ranges.
        if cluster.private_cluster.known() == Some(&true) {
            continue;
        }
        let Some(ranges) = cluster.authorized_ip_ranges.known() else {
            continue;
        };
        let broad: Vec<String> = ranges
            .iter()
            .filter_map(|r| r.as_str())
            .filter(|r| too_broad(r, min_v4))
            .map(str::to_string)
            .collect();
        if broad.is_empty() {
            continue;
        }
        let message = format!(
            "Authorized IP range{} {} admit{} too much of the internet (wider than /{min_v4} for IPv4, /{} for IPv6)",
            if broad.len() > 1 { "s" } else { "" },
            broad.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "),
            if broad.len() > 1 { "" } else { "s" },
            min_v4.saturating_add(32),
        );
        let help = format!("List only the specific egress, VPN and office ranges that must reach the API server (/{min_v4} or narrower); `0.0.0.0/32` is allowed for load-balancer egress only");
        out.push(RULE.at_field(cluster, &cluster.authorized_ip_ranges, message, help));
    }
}

/// `0.0.0.0/0`, `::/0`, or an IPv4 prefix shorter than `min_v4` (IPv6: shorter than
/// `min_v4 + 32`, the same share of a /64-based allocation plan). `0.0.0.0/32` is the
/// documented "load balancer egress only" value and is fine.
pub fn too_broad(range: &str, min_v4: u8) -> bool {
    let range = range.trim();
    let (addr, prefix) = match range.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok()),
        None => (range, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    match ip {
        IpAddr::V4(_) => prefix.unwrap_or(32) < min_v4,
        IpAddr::V6(_) => prefix.unwrap_or(128) < min_v4.saturating_add(32),
    }
}

#[cfg(test)]
mod tests {
    use super::too_broad;

    #[test]
    fn prefixes() {
        assert!(too_broad("0.0.0.0/0", 16));
        assert!(too_broad("::/0", 16));
        assert!(too_broad("10.0.0.0/8", 16));
        assert!(!too_broad("10.1.0.0/16", 16));
        assert!(!too_broad("0.0.0.0/32", 16));
        assert!(!too_broad("203.0.113.7", 16));
        assert!(!too_broad("not-an-ip", 16));
    }
}
