resource "azurerm_kubernetes_cluster" "aks" {
# <- AKS004
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
  name                    = "suppressed"
  private_cluster_enabled = true
  azure_policy_enabled    = true
  # aksguard:ignore AKS005 -- break-glass account until the Entra migration, ticket OPS-1
  local_account_disabled  = false
  # <- AKS005 suppressed
  workload_identity_enabled = false # aksguard:ignore AKS009 -- legacy pod identity, ticket OPS-2
  # <- AKS009 suppressed
  # aksguard:ignore AKS006 -- nothing here to hide
  # <- AG002
  network_profile {
    network_policy = "cilium"
  }
}
