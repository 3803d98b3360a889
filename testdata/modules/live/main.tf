module "overridden" {
  source                 = "../modules/aks"
  name                   = "aks-a"
  local_account_disabled = false
}

module "defaulted" {
  source = "../modules/aks"
  name   = "aks-b"
}

module "registry" {
  source = "../modules/acr"
}

module "remote" {
  source  = "Azure/aks/azurerm"
  version = "9.0.0"
}

resource "azurerm_container_registry" "root" {
  name                = "rootacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = module.registry.sku
  admin_enabled       = module.registry.admin_enabled
}
