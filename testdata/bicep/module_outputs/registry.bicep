param registryName string

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
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
    adminUserEnabled: false
    publicNetworkAccess: 'Disabled'
  }
}

output id string = registry.id
output name string = registry.name
