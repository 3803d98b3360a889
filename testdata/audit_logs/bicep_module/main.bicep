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
