// A cluster whose local accounts setting comes from a parameter.
param clusterName string = 'aks-params'
param disableLocalAccounts bool = true
param location string = resourceGroup().location

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
             // <- AKS019
             // <- AKS001
             // <- AKS004
             // <- AKS007
             // <- AKS008
             // <- AKS009
             // <- AKS010
             // <- AKS011
             // <- AKS014
             // <- DEF001
             // <- LZ001
  name: clusterName
  location: location
  properties: {
    disableLocalAccounts: disableLocalAccounts
    // <- AKS005
  }
}
