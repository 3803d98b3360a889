variable "sensitive_pool_labels" {
  type = map(string)
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks-prod"
  location            = "westeurope"
  resource_group_name = "rg-aks-prod"
  dns_prefix          = "aks-prod"

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "sensitive" {
  name                  = "sensitive"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.aks.id
  vm_size               = "Standard_D8s_v5"
  node_labels           = var.sensitive_pool_labels
  # <- AG003
  node_taints           = ["aksguard.io/sensitivity=high:NoSchedule"]
}
