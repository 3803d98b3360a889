resource "azurerm_kubernetes_cluster" "audited" {
  name                = "aks-audited"
  location            = "westeurope"
  resource_group_name = "rg-aks"
  dns_prefix          = "aks-audited"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "silent" {
# <- AKS019
  name                = "aks-silent"
  location            = "westeurope"
  resource_group_name = "rg-aks"
  dns_prefix          = "aks-silent"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

# The shared module receives the audited cluster's ID through a variable.
module "audit" {
  source     = "./modules/audit"
  cluster_id = azurerm_kubernetes_cluster.audited.id
}
