use super::{catalogue, registry_host, zone_allows, zone_name, Context, Rule};
use crate::build::Base;
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD003,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for dockerfile in &ctx.model.dockerfiles {
        for stage in &dockerfile.stages {
            let (Base::Image(reference), Some(word)) = (&stage.base, &stage.image) else {
                continue;
            };
            let host = registry_host(reference);
            let Some((false, list)) = zone_allows(ctx, dockerfile.zone, &host) else {
                continue;
            };
            let mut finding = RULE.on_address(
                &stage.address,
                word.loc,
                format!(
                    "Base image `{}` comes from `{host}`, which is not an allowed registry for landing zone `{}` (allowed: {list})",
                    crate::build::printable(reference),
                    zone_name(ctx.model, dockerfile.zone)
                ),
                "base image from an untrusted registry".to_string(),
                "Import the base image into the landing zone's registry (`az acr import`) and build FROM it there, or add its registry to `[kubernetes] allowed-registries`".to_string(),
            );
            if let Some((loc, name)) = &stage.via_arg {
                finding
                    .notes
                    .push((*loc, format!("image from the default of `ARG {name}`")));
            }
            out.push(finding);
        }
    }
}
