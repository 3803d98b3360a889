resource "azurerm_kubernetes_cluster" "bad" {
  local_account_disabled = 
                           # <- AG001
}
