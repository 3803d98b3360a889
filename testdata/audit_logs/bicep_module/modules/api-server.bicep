param clusterId string
param workspaceId string

resource cluster 'Microsoft.ContainerService/managedClusters@2025-10-01' existing = {
  name: last(split(clusterId, '/'))
}

resource apiServer 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'api-server'
  scope: cluster
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'kube-apiserver'
        enabled: true
      }
    ]
  }
}
