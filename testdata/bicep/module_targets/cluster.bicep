// A module of main.bicep, and the template cluster.bicepparam is `using` (local accounts
// off: no finding).
param disableLocalAccounts bool

resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks-targets'
  location: 'westeurope'
  properties: {
    disableLocalAccounts: disableLocalAccounts
  }
}
