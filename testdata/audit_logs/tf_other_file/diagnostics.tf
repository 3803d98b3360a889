# The audited cluster's logs are configured away from the cluster, in another file of the root.
resource "azurerm_monitor_diagnostic_setting" "audited" {
  name                       = "aks-audited-diagnostics"
  target_resource_id         = azurerm_kubernetes_cluster.audited.id
  log_analytics_workspace_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"

  enabled_log {
    category = "kube-audit-admin"
  }
}
