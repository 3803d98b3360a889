resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "corp-aks"
  location                = "westeurope"
  resource_group_name     = "corp-rg"
  dns_prefix              = "corp"
  local_account_disabled  = false
  node_os_upgrade_channel = "Unmanaged"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

module "network" {
  source  = "Azure/network/azurerm"
  version = "5.3.0"
}
