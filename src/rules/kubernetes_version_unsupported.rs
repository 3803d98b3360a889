use super::{all_pools, catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::field::Field;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS013,
    check,
};

/// The embedded AKS support calendar, as of `SUPPORT_TABLE_DATE`: the oldest minor version
/// in standard support and, for `AKSLongTermSupport` clusters, in the LTS window.
/// `[kubernetes] minimum-version` overrides the standard floor.
pub const SUPPORT_TABLE_DATE: &str = "2026-11-01";
pub const OLDEST_SUPPORTED: (u32, u32) = (1, 33);
pub const OLDEST_LTS: (u32, u32) = (1, 30);

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let floor = ctx
        .config
        .kubernetes
        .minimum_version
        .as_deref()
        .and_then(parse_minor)
        .unwrap_or(OLDEST_SUPPORTED);
    for cluster in &ctx.model.clusters {
        let lts = cluster
            .support_plan
            .known()
            .is_some_and(|p| p.eq_ignore_ascii_case("AKSLongTermSupport"));
        let oldest = if lts { floor.min(OLDEST_LTS) } else { floor };
        if let Some(finding) = check_version(cluster, &cluster.kubernetes_version, oldest, lts) {
            out.push(finding);
        }
    }
    for pool in all_pools(ctx.model) {
        let lts = pool
            .cluster
            .and_then(|c| ctx.model.clusters.get(c))
            .is_some_and(|c| {
                c.support_plan
                    .known()
                    .is_some_and(|p| p.eq_ignore_ascii_case("AKSLongTermSupport"))
            });
        let oldest = if lts { floor.min(OLDEST_LTS) } else { floor };
        if let Some(finding) = check_version(pool, &pool.orchestrator_version, oldest, lts) {
            out.push(finding);
        }
    }
}

fn check_version(
    subject: &dyn super::Subject,
    field: &Field<String>,
    oldest: (u32, u32),
    lts: bool,
) -> Option<Finding> {
    let version = field.known()?;
    let minor = parse_minor(version)?;
    if minor >= oldest {
        return None;
    }
    let window = if lts {
        "long-term support"
    } else {
        "standard support"
    };
    Some(RULE.at_field(
        subject,
        field,
        format!(
            "Kubernetes {version} is out of AKS {window}: the oldest supported minor version is {}.{} (support table of {SUPPORT_TABLE_DATE})",
            oldest.0, oldest.1
        ),
        format!(
            "Upgrade to {}.{} or later, or remove `{}` {}",
            oldest.0,
            oldest.1,
            field.attribute,
            if subject.is_pool() {
                "so the pool follows the control plane's version"
            } else {
                "so AKS picks the latest supported version"
            }
        ),
    ))
}

/// "1.29", "1.29.4", "v1.29" -> (1, 29)
pub fn parse_minor(version: &str) -> Option<(u32, u32)> {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
