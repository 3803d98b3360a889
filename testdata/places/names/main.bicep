// Names only the deployment knows: messages use the symbolic names.
param registryName string = 'acr${uniqueString(resourceGroup().id)}'
param poolName string

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: true
    // <- ACR004
  }
}

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'names'
  location: 'westeurope'
  properties: {
    dnsPrefix: 'names'
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 1
        vmSize: 'Standard_D4s_v5'
        enableEncryptionAtHost: true
      }
    ]
  }
}

resource userPool 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = {
  parent: aks
  name: poolName
  properties: {
    mode: 'User'
    count: 1
    vmSize: 'Standard_D8s_v5'
    enableEncryptionAtHost: false
    // <- AKS017
  }
}
