resource "azurerm_kubernetes_cluster" "ok" {
  local_account_disabled = false
}
