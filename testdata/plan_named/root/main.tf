variable "local_accounts_off" {
  type = bool
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                              = "aks-named"
  location                          = "westeurope"
  resource_group_name               = "rg-named"
  dns_prefix                        = "aks-named"
  kubernetes_version                = "1.33"
  local_account_disabled            = var.local_accounts_off
  # <- AKS005
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  private_cluster_enabled           = true

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
    node_count = 3
  }

  identity {
    type = "SystemAssigned"
  }
}
