// Parenthesised values, and `!` of one, are plain expressions, as Bicep reads them; object
// types keep their parenthesised types.
type options = {
  level: (int | string)
  strict: (bool)?
}

var enabled = (true)

resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
             // <- ACR001
  name: 'acrparens'
  location: 'westeurope'
  sku: {
    name: ('Premium')
  }
  properties: {
    adminUserEnabled: (true)
    // <- ACR004
    anonymousPullEnabled: !(false)
    // <- ACR005
    publicNetworkAccess: (enabled) ? 'Enabled' : 'Disabled'
    // <- ACR002
    policies: {
    // <- ACR006
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
                    // <- ACR001
                    // <- ACR006
                    // <- ACR007
                    // <- ACR008
  name: 'acrternary'
  location: 'westeurope'
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: environment == 'prod' ? 'Disabled' : 'Enabled'
    // <- ACR002
  }
}
