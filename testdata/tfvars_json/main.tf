variable "admin" {
  type    = bool
  default = false
}

resource "azurerm_container_registry" "acr" {
  name                = "jsonacr"
  resource_group_name = "rg"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = var.admin
}
