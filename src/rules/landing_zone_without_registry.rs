use super::{catalogue, zone_name, Context, Rule};
use crate::finding::Finding;
use crate::model::Model;

pub const RULE: Rule = Rule {
    meta: &catalogue::LZ001,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    for cluster in &model.clusters {
        let zone = cluster.landing_zone;
        if !Model::in_zone(&model.index.registries_by_zone, zone).is_empty() {
            continue;
        }
        out.push(RULE.at(
            cluster,
            cluster.header,
            format!(
                "Landing zone `{}` deploys this cluster but declares no container registry of its own: its images come from a registry another zone controls",
                zone_name(model, zone)
            ),
            "cluster without a registry in its landing zone".to_string(),
            "Declare a dedicated Premium registry with a private endpoint in this landing zone and grant the cluster's kubelet identity AcrPull on it".to_string(),
        ));
    }
}
