use super::{catalogue, set_field, zone_name, Context, Rule};
use crate::finding::Finding;
use crate::model::Model;
use crate::remedy::Literal;

pub const RULE: Rule = Rule {
    meta: &catalogue::DEF001,
    check,
};

/// Plan names retired in favour of `Containers`; they do not protect clusters today.
const RETIRED_PLANS: &[&str] = &["KubernetesService", "ContainerRegistry"];

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for zone in 0..model.zones.len() {
        let mut clusters: Vec<_> = Model::in_zone(&model.index.clusters_by_zone, zone)
            .iter()
            .map(|&i| &model.clusters[i])
            .collect();
        if clusters.is_empty() {
            continue;
        }
        let pricings: Vec<_> = Model::in_zone(&model.index.pricings_by_zone, zone)
            .iter()
            .map(|&i| &model.pricings[i])
            .collect();
        // A pricing whose plan or tier cannot be resolved might be the Containers plan.
        if pricings
            .iter()
            .any(|p| p.plan.is_unknown() || (p.is_plan("Containers") && p.standard().is_none()))
        {
            continue;
        }
        let containers: Vec<_> = pricings
            .iter()
            .filter(|p| p.is_plan("Containers"))
            .collect();
        if containers.iter().any(|p| p.standard() == Some(true)) {
            continue;
        }
        let retired: Vec<&str> = pricings
            .iter()
            .filter_map(|p| RETIRED_PLANS.iter().find(|r| p.is_plan(r)).copied())
            .collect();
        let mut message = format!(
            "Landing zone `{}` deploys AKS but Defender for Containers is not on the Standard tier",
            zone_name(model, zone)
        );
        if !retired.is_empty() {
            message.push_str(&format!(
                " (the retired plan{} {} no longer protect{} clusters)",
                if retired.len() > 1 { "s" } else { "" },
                retired
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if retired.len() > 1 { "" } else { "s" },
            ));
        }
        let help = "Set the `Containers` plan to `Standard` (Terraform: `azurerm_security_center_subscription_pricing { resource_type = \"Containers\", tier = \"Standard\" }`; ARM: `Microsoft.Security/pricings` named `Containers` with `pricingTier: \"Standard\"`)".to_string();
        if containers.is_empty() {
            clusters.sort_by_key(|c| (c.file, c.header.start));
            let first = clusters[0];
            out.push(RULE.at(
                first,
                first.header,
                message,
                "no Containers plan in this landing zone".to_string(),
                help,
            ));
        } else {
            for pricing in containers {
                // A subscription-wide plan with its own bill: the author decides.
                let standard = || Literal::str("Standard");
                let remedy = set_field(
                    &pricing.resource,
                    &pricing.tier,
                    standard(),
                    standard(),
                    "Put the Containers plan on Standard",
                )
                .map(|r| r.needs_review("a billing decision for the subscription"));
                out.push(
                    RULE.at_field(
                        &pricing.resource,
                        &pricing.tier,
                        message.clone(),
                        help.clone(),
                    )
                    .with_remedy(remedy),
                );
            }
        }
    }
}
