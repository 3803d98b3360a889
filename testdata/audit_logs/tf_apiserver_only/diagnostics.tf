resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                       = "aks-prod-diagnostics"
  target_resource_id         = azurerm_kubernetes_cluster.aks.id
  log_analytics_workspace_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"

  enabled_log {
    category = "kube-apiserver"
  }
}
