// Registries deployed through a local module: once with an argument, once per name in a
// loop, and once only when a switch is on.
param registryNames array = [
  'acrone'
  'acrtwo'
]
param deployExtra bool = false

module shared './modules/registry.bicep' = {
  name: 'shared-registry'
  params: {
    registryName: 'acrshared'
    adminUserEnabled: true
                      // <- ACR004
  }
}

module perTeam './modules/registry.bicep' = [for (name, i) in registryNames: {
  name: 'registry-${i}'
  params: {
    registryName: name
  }
}]

module extra './modules/registry.bicep' = if (deployExtra) {
  name: 'extra-registry'
  params: {
    registryName: 'acrextra'
  }
}
