variable "local_account_disabled" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "aks"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "aks"
  private_cluster_enabled = true
  local_account_disabled  = var.local_account_disabled

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
