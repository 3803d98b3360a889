variable "cluster_name" {
  type = string
}

variable "local_account_disabled" {
  type    = bool
  default = true
}

resource "azurerm_kubernetes_cluster" "main" {
  name                   = var.cluster_name
  location               = "westeurope"
  resource_group_name    = "rg"
  dns_prefix             = var.cluster_name
  local_account_disabled = var.local_account_disabled

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

module "pool" {
  source     = "./modules/pool"
  cluster_id = azurerm_kubernetes_cluster.main.id
}
