// A cluster whose local accounts setting comes from a parameter.
param clusterName string = 'aks-params'
param disableLocalAccounts bool = true
param location string = resourceGroup().location

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: clusterName
  location: location
  properties: {
    disableLocalAccounts: disableLocalAccounts
  }
}
