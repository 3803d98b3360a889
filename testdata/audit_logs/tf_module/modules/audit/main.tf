variable "cluster_id" {
  type = string
}

resource "azurerm_monitor_diagnostic_setting" "this" {
  name                       = "audit"
  target_resource_id         = var.cluster_id
  log_analytics_workspace_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"

  enabled_log {
    category_group = "allLogs"
  }
}
