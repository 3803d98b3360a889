param clusterName string = 'root-aks'
param localAccounts bool = false

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
  name: clusterName
  location: 'westeurope'
  properties: {
    disableLocalAccounts: !localAccounts
  }
}
