use super::{spelled, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    id: "AKS004",
    slug: "entra-azure-rbac-disabled",
    severity: Severity::High,
    summary: "The cluster lacks managed Entra ID integration with Azure RBAC",
    doc: include_str!("../../rules/AKS004.md"),
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let help = spelled(
            cluster,
            "Add `azure_active_directory_role_based_access_control { azure_rbac_enabled = true }` (azurerm 3.x also `managed = true`)",
            "Set `aadProfile: { managed: true, enableAzureRBAC: true }`",
        )
        .to_string();
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
        out.push(RULE.at_field(cluster, field, message, help));
    }
}
