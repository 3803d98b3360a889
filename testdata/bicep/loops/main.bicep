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
             // <- AKS019
             // <- AKS001
             // <- AKS004
             // <- AKS005
             // <- AKS007
             // <- AKS008
             // <- AKS009
             // <- AKS010
             // <- AKS011
             // <- AKS014
             // <- DEF001
  name: 'aks-loops'
  location: 'westeurope'
  properties: {
    agentPoolProfiles: [for pool in pools: {
      name: pool.name
      // <- AKS018
      mode: 'System'
      osSKU: pool.osSku
      // <- AKS016
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
    // <- AKS016
    enableEncryptionAtHost: !pool.hostEncryption
    // <- AKS017
  }
}]

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
                  // <- ACR001
                  // <- ACR002
                  // <- ACR006
                  // <- ACR007
                  // <- ACR008
  name: 'acrloops'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    // aksguard:ignore ACR004 -- break-glass account for the migration, removed in Q3
    adminUserEnabled: true
    // <- ACR004 suppressed
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
