variable "kubernetes_version" {
  type = string
}

resource "azurerm_kubernetes_cluster" "this" {
  name                    = "places"
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = "places"
  kubernetes_version      = var.kubernetes_version
  private_cluster_enabled = true

  default_node_pool {
  # <- AKS018
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

output "id" {
  value = azurerm_kubernetes_cluster.this.id
}
