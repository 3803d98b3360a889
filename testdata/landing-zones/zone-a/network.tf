resource "azurerm_private_endpoint" "hub_acr" {
  name                = "hubacr-pe"
  location            = "westeurope"
  resource_group_name = "rg-hub"
  subnet_id           = "/subscriptions/aaaaaaaa-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe"

  private_service_connection {
    name                           = "hubacr"
    private_connection_resource_id = azurerm_container_registry.hub.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }
}
