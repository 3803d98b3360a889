param registryName string = 'acrtwin'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
                  // <- ACR001
                  // <- ACR002
  name: registryName
  location: 'westeurope'
  sku: {
    name: 'Standard'
    // <- ACR003
  }
  properties: {
    adminUserEnabled: true
    // <- ACR004
  }
}
