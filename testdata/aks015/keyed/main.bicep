param adminPublicKey string

resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
  name: 'keyed'
  location: 'westeurope'
  properties: {
    dnsPrefix: 'keyed'
    linuxProfile: {
      adminUsername: 'ops'
      ssh: {
        publicKeys: [
          {
            keyData: adminPublicKey
          }
        ]
      }
    }
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        count: 1
        vmSize: 'Standard_D4s_v5'
        securityProfile: {
          sshAccess: 'Disabled'
        }
      }
      {
        name: 'apps'
        // <- AKS015
        mode: 'User'
        count: 1
        vmSize: 'Standard_D8s_v5'
      }
    ]
  }
}

resource batch 'Microsoft.ContainerService/managedClusters/agentPools@2025-10-01' = {
  parent: aks
  name: 'batch'
  properties: {
    mode: 'User'
    count: 1
    vmSize: 'Standard_D8s_v5'
    securityProfile: {
      sshAccess: 'LocalUser'
      // <- AKS015
    }
  }
}
