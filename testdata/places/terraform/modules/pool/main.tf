variable "cluster_id" {
  type = string
}

variable "orchestrator_version" {
  type = string
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = var.cluster_id
  vm_size               = "Standard_D8s_v5"
  orchestrator_version  = var.orchestrator_version
}
