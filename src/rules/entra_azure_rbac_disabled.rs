use super::{catalogue, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::cluster::Cluster;
use crate::model::fields as f;
use crate::model::raw::Format;
use crate::remedy::{Change, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS004,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let help = match cluster.format {
            Format::Terraform => format!(
                "Add {} (azurerm 3.x also `{} = true`)",
                spelling::assignment(cluster, &f::AZURE_RBAC, "true", ""),
                spelling::last(&spelling::name(cluster, &f::AAD_MANAGED)),
            ),
            _ => format!(
                "Set `{}: {{ {}: true, {}: true }}`",
                spelling::name(cluster, &f::AAD_BLOCK),
                spelling::last(&spelling::name(cluster, &f::AAD_MANAGED)),
                spelling::last(&spelling::name(cluster, &f::AZURE_RBAC)),
            ),
        };
        let field = if cluster.entra_managed.known() == Some(&false) {
            &cluster.entra_managed
        } else if cluster.azure_rbac.known() == Some(&false) {
            &cluster.azure_rbac
        } else {
            continue;
        };
        let message = if cluster.entra_integration.known() == Some(&false) {
            "The cluster has no Entra ID integration: access is not governed by Entra identities and Azure RBAC".to_string()
        } else if std::ptr::eq(field, &cluster.entra_managed) {
            "Entra ID integration is not the managed kind: use managed Entra ID with Azure RBAC"
                .to_string()
        } else {
            "Azure RBAC for Kubernetes authorization is not enabled".to_string()
        };
        let field = if cluster.entra_integration.known() == Some(&false) {
            &cluster.entra_integration
        } else {
            field
        };
        let remedy = remedy(cluster, &help);
        out.push(
            RULE.at_field(cluster, field, message, help)
                .with_remedy(remedy),
        );
    }
}

/// The settings that are off, set on; a missing integration block only where one literal
/// creates it (azurerm 4.x+, always managed). Under azurerm 3.x and in ARM the new block or
/// object needs two settings, and one fix cannot create the same parent twice.
fn remedy(cluster: &Cluster, title: &str) -> Option<Remedy> {
    if cluster.entra_integration.known() == Some(&false) {
        let one_literal =
            cluster.format == Format::Terraform && cluster.provider_major.is_none_or(|m| m >= 4);
        if !one_literal {
            return None;
        }
        return Remedy::new(
            title,
            vec![Some(Change::absent(
                cluster.entra_integration.at,
                "azure_active_directory_role_based_access_control.azure_rbac_enabled",
                true.into(),
            ))],
        );
    }
    // Under azurerm 4.x `entra_managed` stands for the block itself, which exists here.
    let managed_is_an_attribute = cluster.entra_managed.attribute.ends_with("managed");
    let changes = [&cluster.azure_rbac, &cluster.entra_managed]
        .into_iter()
        .filter(|f| f.known() == Some(&false))
        .filter(|f| !std::ptr::eq(*f, &cluster.entra_managed) || managed_is_an_attribute)
        .map(|f| super::change_for(f, true.into()))
        .collect();
    Remedy::new(title, changes)
}
