// A registry deployed with `--parameters main.parameters.json`.
param registryName string
param adminUserEnabled bool = false

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
             // <- ACR001
             // <- ACR006
             // <- ACR007
             // <- ACR008
  name: registryName
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: adminUserEnabled
    // <- ACR004
    publicNetworkAccess: 'Disabled'
  }
}
