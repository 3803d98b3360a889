param location string = resourceGroup().location

resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
  name: 'aks-prod'
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: 'aks-prod'
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 3
        vmSize: 'Standard_D4s_v5'
      }
      {
        name: 'confidential'
        mode: 'User'
        count: 3
        vmSize: 'Standard_DC4as_v5'
        nodeLabels: {
          'aksguard.io/pool': 'confidential'
        }
        nodeTaints: [
          'aksguard.io/sensitivity=confidential:NoSchedule'
        ]
      }
    ]
  }
}

resource general 'Microsoft.ContainerService/managedClusters/agentPools@2025-10-01' = {
  parent: aks
  name: 'general'
  properties: {
    mode: 'User'
    count: 3
    vmSize: 'Standard_D4s_v5'
    nodeLabels: {
      'aksguard.io/pool': 'general'
    }
  }
}
