param clusterName string = 'qs-aks'
param acrName string = 'acr${uniqueString(resourceGroup().id)}'

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: clusterName
  location: 'westeurope'
  properties: {
    dnsPrefix: clusterName
    disableLocalAccounts: false
    // <- AKS005
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
  name: acrName
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: true
    // <- ACR004
  }
}
