module "naming" {
  source = "../naming"
  name   = var.name
}

resource "azurerm_kubernetes_cluster" "this" {
# <- AKS004
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  name                    = module.naming.name
  location                = "westeurope"
  resource_group_name     = "rg"
  dns_prefix              = var.name
  private_cluster_enabled = true
  local_account_disabled  = var.local_account_disabled
  azure_policy_enabled    = true
}
