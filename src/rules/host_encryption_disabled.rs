use super::{all_pools, catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS017,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in all_pools(ctx.model) {
        if pool.host_encryption.known() != Some(&false) {
            continue;
        }
        let name = pool.label.as_str();
        let remedy = set_field(
            pool,
            &pool.host_encryption,
            true.into(),
            true.into(),
            "Encrypt at host",
        );
        out.push(RULE.at_field(
            pool,
            &pool.host_encryption,
            format!("Node pool `{name}` does not encrypt at host: temp disks and the OS/data disk caches are stored unencrypted"),
            spelling::set(pool, &f::POOL_HOST_ENCRYPTION, "true", "true"),
        ).with_remedy(remedy));
    }
}
