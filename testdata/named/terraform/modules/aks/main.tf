variable "name" {
  type = string
}

resource "azurerm_kubernetes_cluster" "this" {
  name                   = var.name
  location               = "westeurope"
  resource_group_name    = "rg"
  dns_prefix             = var.name
  local_account_disabled = false
  # <- AKS005

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
