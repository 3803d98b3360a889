variable "name" {
  type = string
}

variable "local_account_disabled" {
  type    = bool
  default = true
}

output "cluster_name" {
  value = azurerm_kubernetes_cluster.this.name
}
