param name string = 'acr'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  properties: {
    adminUserEnabled: (true }
    //                     ^ AG001
  }
}
