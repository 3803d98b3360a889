resource "azurerm_kubernetes_cluster" "aks" {
# <- AKS019
  name                = "aks-prod"
  location            = "westeurope"
  resource_group_name = "rg-aks"
  dns_prefix          = "aks-prod"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
