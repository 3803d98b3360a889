// A parameters file named as a module (Bicep deploys templates only), and a module whose
// file is not in the checkout: neither passes in silence.
module fromParams './cluster.bicepparam' = {
                  // <- AG001
  name: 'from-params'
}

module missing './network/vnet.bicep' = {
// <- AG005
  name: 'missing'
}

module cluster './cluster.bicep' = {
  name: 'cluster'
  params: {
    disableLocalAccounts: false
    // <- AKS005 column 27
  }
}
