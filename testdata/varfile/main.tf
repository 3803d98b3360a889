variable "local_account_disabled" {
  type    = bool
  default = true
}

variable "network_policy" {
  type    = string
  default = "azure"
}

resource "azurerm_kubernetes_cluster" "aks" {
# <- AKS001
# <- AKS004
# <- AKS007
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  name                   = "aks"
  location               = "westeurope"
  resource_group_name    = "rg"
  dns_prefix             = "aks"
  local_account_disabled = var.local_account_disabled

  network_profile {
    network_plugin = "azure"
    network_policy = var.network_policy
  }

  default_node_pool {
  # <- AKS016
  # <- AKS017
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
