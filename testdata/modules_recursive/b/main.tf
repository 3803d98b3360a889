module "a" {
# <- AG001
  source = "../a"
}

resource "azurerm_container_registry" "acr" {
# <- ACR001
# <- ACR002
# <- ACR006
# <- ACR007
# <- ACR008
  name                = "recursiveacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = true
  # <- ACR004
}
