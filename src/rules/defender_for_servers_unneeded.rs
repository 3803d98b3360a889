use super::{catalogue, set_field, zone_name, Context, Rule};
use crate::finding::Finding;
use crate::model::Model;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::DEF004,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for pricing in &model.pricings {
        if !(pricing.is_plan("VirtualMachines") && pricing.standard() == Some(true)) {
            continue;
        }
        let zone = pricing.resource.zone;
        if model.zones_with_vms.contains(&zone)
            || Model::in_zone(&model.index.clusters_by_zone, zone).is_empty()
        {
            continue;
        }
        // Other machines of the subscription may rely on the plan.
        let free = || Literal::str("Free");
        let remedy = set_field(
            &pricing.resource,
            &pricing.tier,
            free(),
            free(),
            "Put the VirtualMachines plan on Free",
        )
        .map(|r| r.needs_review("other virtual machines of the subscription may need it"));
        out.push(RULE.at_field(
            &pricing.resource,
            &pricing.plan,
            format!("Defender for Servers is on Standard in landing zone `{}`, whose only machines are AKS nodes: Defender for Containers already protects them", zone_name(model, zone)),
            "Drop the `VirtualMachines` plan (or set it to `Free`) in landing zones without their own virtual machines".to_string(),
        ).with_remedy(remedy));
    }
}
