resource "azurerm_kubernetes_cluster" "keyless" {
  name                = "keyless"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "keyless"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
