variable "cluster_id" {
  type = string
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = var.cluster_id
  vm_size               = "Standard_D4s_v5"
}
