variable "environment" {
  type    = string
  default = "prod"
}

variable "clusters" {
  type = map(object({ os_sku = string, local_accounts = bool }))
  default = {
    a = { os_sku = "AzureLinux", local_accounts = false }
    b = { os_sku = "Ubuntu", local_accounts = true }
  }
}

variable "ranges" {
  default = ["10.0.0.0/16", "203.0.113.0/24"]
}

locals {
  is_prod  = var.environment == "prod"
  channel  = local.is_prod ? "stable" : "none"
  tags     = merge({ env = var.environment }, { owner = "platform" })
  prefixes = [for r in var.ranges : split("/", r)[1] if r != ""]
  by_name  = { for k, v in var.clusters : upper(k) => v.os_sku... }
  banner   = <<-EOT
    cluster %{ if local.is_prod }prod%{ else }dev%{ endif }
    %{ for k, v in var.clusters }${k}=${v.os_sku} %{ endfor }
  EOT
}

resource "azurerm_kubernetes_cluster" "each" {
  for_each                          = var.clusters
  name                              = "aks-${each.key}"
  location                          = "westeurope"
  local_account_disabled            = !each.value.local_accounts
  automatic_channel_upgrade         = local.channel
  role_based_access_control_enabled = true
  tags                              = local.tags

  default_node_pool {
    name                   = "system"
    os_sku                 = each.value.os_sku
    vm_size                = "Standard_D4s_v5"
    enable_host_encryption = try(var.host_encryption, true)
    node_count             = length(var.ranges) * 2 + 1
  }

  network_profile {
    network_plugin = "azure"
    network_policy = lookup({ prod = "cilium" }, var.environment, "azure")
  }

  dynamic "api_server_access_profile" {
    for_each = local.is_prod ? [1] : []
    content {
      authorized_ip_ranges = var.ranges
    }
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = coalesce(null, true)
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  count                 = local.is_prod ? 2 : 0
  name                  = format("user%02d", count.index)
  kubernetes_cluster_id = azurerm_kubernetes_cluster.each["a"].id
  os_type               = "Linux"
}

resource "azurerm_container_registry" "acr" {
  name                          = "acr${replace(var.environment, "-", "")}"
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = false
}

module "net" {
  source  = "./modules/net"
  ranges  = var.ranges
}
