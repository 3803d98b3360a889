variable "admin" {
  type    = bool
  default = false
}

resource "azurerm_container_registry" "acr" {
# <- ACR001
# <- ACR002
# <- ACR006
# <- ACR007
# <- ACR008
  name                = "jsonacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = var.admin
  # <- ACR004
}
