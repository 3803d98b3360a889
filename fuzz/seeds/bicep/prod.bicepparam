using './main.bicep'

var suffix = 'prod'
param clusterName = 'aks-${suffix}'
param disableLocalAccounts = false
