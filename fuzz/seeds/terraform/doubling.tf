locals {
  s0 = "xxxxxxxx"
  s1 = replace(local.s0, "x", local.s0)
  s2 = replace(local.s1, "x", local.s1)
  s3 = replace(local.s2, "x", local.s2)
  s4 = replace(local.s3, "x", local.s3)
  j = join(local.s3, range(1000))
}
resource "azurerm_kubernetes_cluster" "aks" {
  dns_prefix = local.s4
  local_account_disabled = false
}
