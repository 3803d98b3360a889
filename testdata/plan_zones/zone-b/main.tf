resource "azurerm_container_registry" "shared" {
  name                          = "sharedacr"
  resource_group_name           = "rg-shared"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
  quarantine_policy_enabled     = true

  trust_policy {
    enabled = true
  }

  retention_policy {
    enabled = true
    days    = 7
  }
}
