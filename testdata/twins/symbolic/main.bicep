module cluster './aks.bicep' = {
  name: 'cluster'
  params: {
    clusterName: 'prod-aks'
  }
}
