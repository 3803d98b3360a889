use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR003,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        if registry.premium() != Some(false) {
            continue;
        }
        let sku = registry.sku.known().map(String::as_str).unwrap_or("?");
        let name = registry.label();
        let premium = || Literal::str("Premium");
        // Premium is billed at a higher daily rate: the author decides.
        let remedy = set_field(
            &registry.resource,
            &registry.sku,
            premium(),
            premium(),
            "Use the Premium SKU",
        )
        .map(|r| r.needs_review("Premium costs more"));
        out.push(RULE.at_field(
            &registry.resource,
            &registry.sku,
            format!("Registry `{name}` uses the `{sku}` SKU: Private Link, network rules, retention, quarantine and content trust need Premium"),
            spelling::set(&registry.resource, &f::REGISTRY_SKU, "\"Premium\"", "\"Premium\""),
        ).with_remedy(remedy));
    }
}
