param registryName string
param adminUserEnabled bool = false
param location string = resourceGroup().location

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
                  // <- ACR001
  name: registryName
  location: location
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: adminUserEnabled
    anonymousPullEnabled: true
    // <- ACR005
    publicNetworkAccess: 'Disabled'
    policies: {
      quarantinePolicy: { status: 'enabled' }
      trustPolicy: { type: 'Notary', status: 'enabled' }
      retentionPolicy: { days: 7, status: 'enabled' }
    }
  }
}
