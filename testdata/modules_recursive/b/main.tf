module "a" {
  source = "../a"
}

resource "azurerm_container_registry" "acr" {
  name                = "recursiveacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = true
}
