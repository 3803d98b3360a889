variable "diagnostics_target" {
  description = "Set by the pipeline."
  type        = string
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                       = "aks-prod-diagnostics"
  target_resource_id         = var.diagnostics_target
  # <- AG003
  log_analytics_workspace_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops"

  enabled_log {
    category = "kube-audit"
  }
}
