resource "azurerm_kubernetes_cluster" "keyed" {
  name                = "keyed"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "keyed"

  linux_profile {
    admin_username = "ops"
    ssh_key {
    # <- AKS015
      key_data = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFixtureKeyOnly ops@example"
    }
  }

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}
