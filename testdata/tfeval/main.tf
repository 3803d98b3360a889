locals {
  is_prod  = var.environment == "prod"
  channel  = local.is_prod ? "stable" : "none"
  settings = merge({ policy = "azure" }, { policy = lookup({ prod = "cilium" }, var.environment, "none") })
}

resource "azurerm_kubernetes_cluster" "each" {
# <- AKS004
# <- AKS007
# <- AKS009
# <- AKS010
# <- AKS014
# <- AKS019
# <- DEF001
# <- LZ001
  for_each                  = var.clusters
  name                      = "aks-${each.key}"
  local_account_disabled    = !each.value.local_accounts
  # <- AKS005
  automatic_channel_upgrade = local.channel

  default_node_pool {
  # <- AKS017
    name   = "system"
    os_sku = each.value.os_sku
    # <- AKS016
  }

  network_profile {
    network_policy = local.settings.policy
  }

  dynamic "api_server_access_profile" {
    for_each = var.access_profiles
    content {
      authorized_ip_ranges = api_server_access_profile.value.ranges
      # <- AKS002
    }
  }
}

resource "azurerm_kubernetes_cluster" "counted" {
# <- AKS001
# <- AKS004
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS019
# <- LZ001
  count                  = local.is_prod ? 2 : 0
  name                   = format("aks-%02d", count.index)
  local_account_disabled = var.from_tfvars
  # <- AKS005
  role_based_access_control_enabled = var.no_default
  azure_policy_enabled   = try(local.settings.nonexistent, true)
}

resource "azurerm_kubernetes_cluster" "skipped" {
  count = length(var.clusters) > 5 ? 1 : 0
  name  = "never"
}
