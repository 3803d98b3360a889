module linked './registry.bicep' = {
  name: 'linked'
  params: {
    registryName: 'outlinkedacr'
  }
}

module unlinked './registry.bicep' = {
  name: 'unlinked'
  params: {
    registryName: 'outunlinkedacr'
  }
}

// The endpoint names its registry through the module's output.
resource endpoint 'Microsoft.Network/privateEndpoints@2023-09-01' = {
  name: '${linked.outputs.name}-pe'
  location: 'westeurope'
  properties: {
    subnet: {
      id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe'
    }
    privateLinkServiceConnections: [
      {
        name: 'registry'
        properties: {
          privateLinkServiceId: linked.outputs.id
          groupIds: [
            'registry'
          ]
        }
      }
    ]
  }
}
