variable "local_account_disabled" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "aks" {
# <- AKS004
# <- AKS007
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  name                    = "aks"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "aks"
  private_cluster_enabled = true
  local_account_disabled  = var.local_account_disabled

  default_node_pool {
  # <- AKS016
  # <- AKS017
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
