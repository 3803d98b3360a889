param location string = resourceGroup().location

// Not restored into the cache that bicepconfig.json names.
module cluster 'br/public:avm/res/container-service/managed-cluster:0.11.1' = {
// <- AG005
  name: 'cluster'
  params: {
    name: 'remote-aks'
    location: location
  }
}

module registry 'ts:00000000-0000-0000-0000-000000000000/rg/acr-spec:1.0' = {
// <- AG005
  name: 'registry'
}
