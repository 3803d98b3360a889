resource "azurerm_kubernetes_cluster" "ok" {
# <- AKS001
# <- AKS004
# <- AKS007
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  local_account_disabled = false
  # <- AKS005
}
