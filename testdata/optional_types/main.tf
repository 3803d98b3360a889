variable "pools" {
  type = map(object({
    vm_size                 = optional(string, "Standard_D4s_v5")
    host_encryption_enabled = optional(bool, true)
    os_sku                  = optional(string)
  }))
  default = {
    defaulted = {}
    explicit  = { host_encryption_enabled = false }
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "pool" {
# <- AKS016
  for_each                = var.pools
  name                    = each.key
  kubernetes_cluster_id   = "id"
  vm_size                 = each.value.vm_size
  host_encryption_enabled = each.value.host_encryption_enabled
  # <- AKS017
  os_sku                  = each.value.os_sku
}
