resource "azurerm_kubernetes_cluster" "aks" {
  name                    = "suppressed"
  private_cluster_enabled = true
  azure_policy_enabled    = true
  # aksguard:ignore AKS005 -- break-glass account until the Entra migration, ticket OPS-1
  local_account_disabled  = false
  workload_identity_enabled = false # aksguard:ignore AKS009 -- legacy pod identity, ticket OPS-2
  # aksguard:ignore AKS006 -- nothing here to hide
  network_profile {
    network_policy = "cilium"
  }
}
