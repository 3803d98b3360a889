# Terraform accepts an object constructor that repeats a key: the later one wins.
locals {
  cluster = {
    local_account_disabled = true
    sku_tier               = "Free"
    local_account_disabled = false
  }
  acr = { "admin" = false, admin = true }
  names = { "${local.prefix}-aks" = "one", "${local.prefix}-aks" = "two" }
  prefix = "lz"
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                   = local.names["lz-aks"]
  location               = "westeurope"
  resource_group_name    = "rg"
  dns_prefix             = "aks"
  local_account_disabled = local.cluster.local_account_disabled
  # <- AKS005

  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}

resource "azurerm_container_registry" "acr" {
  name                = "lzacr"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Premium"
  admin_enabled       = local.acr.admin
  # <- ACR004
}
