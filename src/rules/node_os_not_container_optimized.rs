use super::{all_pools, catalogue, is_linux, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::remedy::Literal;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS016,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for pool in all_pools(ctx.model) {
        if !is_linux(pool) {
            continue;
        }
        let Some(sku) = pool.os_sku.known() else {
            continue;
        };
        if sku.eq_ignore_ascii_case("AzureLinux") || sku.eq_ignore_ascii_case("AzureLinux3") {
            continue;
        }
        let retired = sku.eq_ignore_ascii_case("CBLMariner") || sku.eq_ignore_ascii_case("Mariner");
        let name = pool.label.as_str();
        let message = if retired {
            format!("Node pool `{name}` uses the retired OS SKU `{sku}`: it no longer receives security updates")
        } else {
            format!("Node pool `{name}` runs `{sku}`, a general-purpose OS, instead of the container-optimised Azure Linux")
        };
        let mut finding = RULE.at_field(
            pool,
            &pool.os_sku,
            message,
            spelling::set(pool, &f::POOL_OS_SKU, "\"AzureLinux\"", "\"AzureLinux\""),
        );
        let azure_linux = || Literal::str("AzureLinux");
        finding.remedy = set_field(
            pool,
            &pool.os_sku,
            azure_linux(),
            azure_linux(),
            "Use the Azure Linux OS SKU",
        );
        if retired {
            finding.severity = Severity::Medium;
        }
        out.push(finding);
    }
}
