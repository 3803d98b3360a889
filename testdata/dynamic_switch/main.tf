variable "restrict_api_server" {
  type    = bool
  default = true
}

resource "azurerm_kubernetes_cluster" "aks" {
# <- AKS004
# <- AKS005
# <- AKS007
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  name                = "aks"
  location            = "westeurope"
  resource_group_name = "rg"
  dns_prefix          = "aks"

  dynamic "api_server_access_profile" {
    for_each = var.restrict_api_server ? [["10.1.0.0/16"]] : []
    content {
      authorized_ip_ranges = api_server_access_profile.value
    }
  }

  default_node_pool {
  # <- AKS016
  # <- AKS017
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
