provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "hub"
  subscription_id = "aaaaaaaa-1111-1111-1111-111111111111"
  features {}
}

data "azurerm_container_registry" "hub" {
  provider            = azurerm.hub
  name                = "hubacr"
  resource_group_name = "hub-rg"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name = "b-aks"
}

resource "azurerm_container_registry" "own" {
# <- ACR001
  name = "bacr"
  sku  = "Premium"
}

resource "azurerm_role_assignment" "pull" {
# <- LZ002
  scope                = data.azurerm_container_registry.hub.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id
}
