using './cluster.bicep'

param disableLocalAccounts = true
