resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "corp-aks"
  location                = "westeurope"
  resource_group_name     = "corp-rg"
  dns_prefix              = "corp"
  private_cluster_enabled = var.private_cluster
  # <- AKS003
  local_account_disabled  = false
  # <- AKS005
  node_os_upgrade_channel = "Unmanaged"
  # <- AKS012

  api_server_access_profile {
    authorized_ip_ranges = var.authorized_ip_ranges
  }

  default_node_pool {
  # <- AKS016
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
