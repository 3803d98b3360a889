// Parenthesised values, and `!` of one, are plain expressions, as Bicep reads them; object
// types keep their parenthesised types.
type options = {
  level: (int | string)
  strict: (bool)?
}

var enabled = (true)

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acrparens'
  location: 'westeurope'
  sku: {
    name: ('Premium')
  }
  properties: {
    adminUserEnabled: (true)
    anonymousPullEnabled: !(false)
    publicNetworkAccess: (enabled) ? 'Enabled' : 'Disabled'
    policies: {
      retentionPolicy: {
        days: (1)
        status: 'enabled'
      }
      quarantinePolicy: {
        status: ('enabled')
      }
    }
  }
}

var environment = 'dev'

resource acrTernary 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acrternary'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: environment == 'prod' ? 'Disabled' : 'Enabled'
  }
}
