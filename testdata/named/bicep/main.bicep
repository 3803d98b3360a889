param adminUserEnabled bool = false

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'named'
  location: 'westeurope'
  properties: {
    dnsPrefix: 'named'
    disableLocalAccounts: false
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 1
        vmSize: 'Standard_D4s_v5'
      }
    ]
  }
}

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'namedacr'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: adminUserEnabled
    // <- ACR004
  }
}
