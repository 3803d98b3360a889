terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.100"
    }
  }
}

# Set by the pipeline: `terraform plan -var acr_public=true`.
variable "acr_public" {
  type = bool
}

variable "edge_ranges" {
  type      = list(string)
  sensitive = true
}

module "aks" {
# <- AKS007
  source                 = "Azure/aks/azurerm"
  version                = "9.1.0"
  prefix                 = "prod"
  local_account_disabled = false
  # <- AKS005
}

resource "azurerm_container_registry" "acr" {
  name                          = "contosoprodacr"
  resource_group_name           = "rg-prod"
  location                      = "westeurope"
  sku                           = "Premium"
  admin_enabled                 = false
  public_network_access_enabled = var.acr_public
  # <- ACR002
  quarantine_policy_enabled     = true

  trust_policy {
    enabled = true
  }

  retention_policy {
    enabled = true
    days    = 7
  }
}

resource "azurerm_private_endpoint" "acr" {
  name                = "pe-contosoprodacr"
  resource_group_name = "rg-prod"
  location            = "westeurope"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"

  private_service_connection {
    name                           = "acr"
    is_manual_connection           = false
    private_connection_resource_id = azurerm_container_registry.acr.id
    subresource_names              = ["registry"]
  }
}

data "azurerm_resources" "teams" {
  type = "Microsoft.Resources/resourceGroups"
}

resource "azurerm_kubernetes_cluster" "team" {
  for_each                          = { for g in data.azurerm_resources.teams.resources : g.name => g.tags }
  name                              = "aks-${each.key}"
  location                          = "westeurope"
  resource_group_name               = each.key
  dns_prefix                        = each.key
  kubernetes_version                = "1.33"
  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  private_cluster_enabled           = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  automatic_channel_upgrade         = "stable"
  node_os_channel_upgrade           = each.value["os-channel"]
  # <- AKS012

  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4s_v5"
    node_count                   = 3
    os_sku                       = "AzureLinux"
    only_critical_addons_enabled = true
    enable_host_encryption       = true
  }

  azure_active_directory_role_based_access_control {
    managed            = true
    azure_rbac_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.OperationalInsights/workspaces/law"
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "cilium"
    outbound_type  = "userDefinedRouting"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "edge" {
  name                              = "aks-edge"
  location                          = "westeurope"
  resource_group_name               = "rg-prod"
  dns_prefix                        = "aks-edge"
  kubernetes_version                = "1.33"
  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  automatic_channel_upgrade         = "stable"
  node_os_channel_upgrade           = "NodeImage"

  api_server_access_profile {
    authorized_ip_ranges = var.edge_ranges
    # <- AKS002
  }

  default_node_pool {
    name                         = "system"
    vm_size                      = "Standard_D4s_v5"
    node_count                   = 3
    os_sku                       = "AzureLinux"
    only_critical_addons_enabled = true
    enable_host_encryption       = true
  }

  azure_active_directory_role_based_access_control {
    managed            = true
    azure_rbac_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  microsoft_defender {
    log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.OperationalInsights/workspaces/law"
  }

  network_profile {
    network_plugin = "azure"
    network_policy = "cilium"
    outbound_type  = "userDefinedRouting"
  }

  identity {
    type = "SystemAssigned"
  }
}
