// Written on a case-insensitive file system: the directory is `modules`, the file `aks.bicep`.
module cluster './Modules/AKS.bicep' = {
  name: 'cluster'
  params: {
    clusterName: 'case-aks'
    localAccounts: true
  }
}
