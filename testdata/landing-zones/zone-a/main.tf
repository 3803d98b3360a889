resource "azurerm_container_registry" "hub" {
  name                          = "hubacr"
  resource_group_name           = "rg-hub"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}
