module "overridden" {
  source                 = "../modules/aks"
  name                   = "aks-a"
  local_account_disabled = false
                           # <- AKS005
}

module "defaulted" {
  source = "../modules/aks"
  name   = "aks-b"
}

module "registry" {
  source = "../modules/acr"
}

module "remote" {
# <- AG005
  source  = "Azure/aks/azurerm"
  version = "9.0.0"
}

resource "azurerm_container_registry" "root" {
# <- ACR001
# <- ACR002
  name                = "rootacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = module.registry.sku
  # <- ACR003
  admin_enabled       = module.registry.admin_enabled
  # <- ACR004
}
