// Node pools from a loop, as child resources of a cluster, one with a condition.
var pools = [
  {
    name: 'linux'
    osSku: 'AzureLinux'
    hostEncryption: true
  }
  {
    name: 'legacy'
    osSku: 'Ubuntu'
    hostEncryption: true
  }
]

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks-loops'
  location: 'westeurope'
  properties: {
    agentPoolProfiles: [for pool in pools: {
      name: pool.name
      mode: 'System'
      osSKU: pool.osSku
      enableEncryptionAtHost: pool.hostEncryption
    }]
  }
}

resource userPools 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = [for (pool, i) in pools: if (pool.name != 'linux') {
  parent: aks
  name: 'user${i}'
  properties: {
    mode: 'User'
    osSKU: pool.osSku
    enableEncryptionAtHost: !pool.hostEncryption
  }
}]

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acrloops'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    // aksguard:ignore ACR004 -- break-glass account for the migration, removed in Q3
    adminUserEnabled: true
  }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, 'acrpull')
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    principalId: aks.properties.identityProfile.kubeletidentity.objectId
  }
}
