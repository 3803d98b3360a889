resource "azurerm_kubernetes_cluster" "this" {
  name                    = var.name
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = var.name
  private_cluster_enabled = true
  local_account_disabled  = var.local_account_disabled
  azure_policy_enabled    = false

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
