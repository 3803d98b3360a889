resource "azurerm_kubernetes_cluster" "this" {
# <- AKS004
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
  name                    = var.name
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = var.name
  private_cluster_enabled = true
  local_account_disabled  = var.local_account_disabled
  azure_policy_enabled    = false
  # <- AKS007

  default_node_pool {
  # <- AKS016
  # <- AKS017
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
