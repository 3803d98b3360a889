// Not the source of azuredeploy.json: it declares only a registry.
resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'otheracr'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: true
    // <- ACR004
  }
}
