param clusterName string = 'reg-aks'

module cluster 'br/public:avm/res/container-service/managed-cluster:0.11.1' = {
               // <- AKS008
  name: 'cluster'
  params: {
    name: clusterName
    disableLocalAccounts: false
                          // <- AKS005
  }
}

// Not restored: unknown, never an error.
module other 'br/public:avm/res/container-registry/registry:0.9.0' = {
// <- AG005
  name: 'registry'
  params: {
    name: 'regacr'
  }
}
