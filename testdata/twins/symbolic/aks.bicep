param clusterName string = 'aks'

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

  resource batch 'agentPools' = {
    name: 'batch'
    properties: {
      mode: 'User'
      count: 1
      vmSize: 'Standard_D8s_v5'
    }
  }
}
