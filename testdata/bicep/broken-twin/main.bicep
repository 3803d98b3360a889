param registryName string = 'acrtwin'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: 'westeurope'
  sku: {
    name: 'Standard'
  }
  properties: {
    adminUserEnabled: (true }
    //                     ^ AG001
  }
}
