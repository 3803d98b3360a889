param ranges array = ['0.0.0.0/0']
                     // <- AKS002

// Bicep deploys a local ARM template as a module: it is evaluated with these values.
module cluster 'cluster.json' = {
  name: 'cluster'
  params: {
    clusterName: 'jm-aks'
    authorizedIpRanges: ranges
  }
}
