use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;
use crate::model::registry::enabled;

pub const RULE: Rule = Rule {
    meta: &catalogue::ACR007,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for registry in &ctx.model.registries {
        // A Premium feature: on other SKUs ACR003 says what is missing.
        if registry.premium() != Some(true) {
            continue;
        }
        match registry.retention.known() {
            Some(status) if !enabled(status) => {}
            _ => continue,
        }
        let name = registry.label();
        out.push(RULE.at_field(
            &registry.resource,
            &registry.retention,
            format!("Registry `{name}` keeps untagged manifests forever: stale, unpatched images stay pullable"),
            match registry.resource.format {
                Format::Terraform => format!(
                    "{} (azurerm 3.x: `retention_policy {{ enabled = true, days = 7 }}`)",
                    spelling::set(&registry.resource, &f::REGISTRY_RETENTION, "7", "")
                ),
                _ => {
                    let status = spelling::name(&registry.resource, &f::REGISTRY_RETENTION);
                    let (policy, status) = status.rsplit_once('.').unwrap_or(("", &status));
                    format!("Set `{policy}: {{ {status}: \"enabled\", days: 7 }}`")
                }
            },
        ));
    }
}
