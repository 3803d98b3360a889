// One ARM template deployed twice by a module loop: it is read and parsed once.
module clusters 'cluster.json' = [for name in ['east-aks', 'west-aks']: {
  name: name
  params: {
    clusterName: name
  }
}]
