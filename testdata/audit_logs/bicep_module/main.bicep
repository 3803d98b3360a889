param workspaceId string = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-ops'

resource audited 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
  name: 'aks-audited'
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: 'aks-audited'
  }
}

resource silent 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
                // <- AKS019
  name: 'aks-silent'
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: 'aks-silent'
  }
}

// The module receives the audited cluster's name and deploys its diagnostic setting.
module auditLogs 'modules/audit.bicep' = {
  name: 'audit-logs'
  params: {
    clusterName: audited.name
    workspaceId: workspaceId
  }
}

resource byId 'Microsoft.ContainerService/managedClusters@2025-10-01' = {
              // <- AKS019
  name: 'aks-by-id'
  location: resourceGroup().location
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dnsPrefix: 'aks-by-id'
  }
}

// This module receives the cluster's ID, and collects only the API server log.
module apiServerLogs 'modules/api-server.bicep' = {
  name: 'api-server-logs'
  params: {
    clusterId: byId.id
    workspaceId: workspaceId
  }
}
