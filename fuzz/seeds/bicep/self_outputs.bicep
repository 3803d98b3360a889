param n int = 0
module me './main.bicep' = {
  name: 'me'
  params: {
    n: n + 1
  }
}
output x string = me.outputs.x
resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: me.outputs.x
  location: 'westeurope'
  sku: {
    name: 'Basic'
  }
}
