param clusterName string = 'root-aks'
param localAccounts bool = false

resource aks 'Microsoft.ContainerService/managedClusters@2024-05-01' = {
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
  location: 'westeurope'
  properties: {
    disableLocalAccounts: !localAccounts
    // <- AKS005
  }
}
