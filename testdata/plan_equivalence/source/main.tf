# A root whose every value is known offline; ../plan/tfplan.json is its plan
# (`terraform show -json`). Both must give the same (rule, resource) findings.
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.100"
    }
  }
}

resource "azurerm_kubernetes_cluster" "legacy" {
  name                = "aks-legacy"
  location            = "westeurope"
  resource_group_name = "rg-apps"
  dns_prefix          = "aks-legacy"
  kubernetes_version  = "1.33"

  default_node_pool {
    name                  = "default"
    vm_size               = "Standard_D4s_v5"
    node_count            = 2
    enable_node_public_ip = true
  }

  linux_profile {
    admin_username = "azureuser"
    ssh_key {
      key_data = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 legacy@example"
    }
  }

  network_profile {
    network_plugin = "kubenet"
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_kubernetes_cluster" "platform" {
  name                              = "aks-platform"
  location                          = "westeurope"
  resource_group_name               = "rg-apps"
  dns_prefix                        = "aks-platform"
  kubernetes_version                = "1.33"
  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  private_cluster_enabled           = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  automatic_channel_upgrade         = "stable"
  node_os_channel_upgrade           = "NodeImage"

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
    log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-apps/providers/Microsoft.OperationalInsights/workspaces/law"
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

resource "azurerm_kubernetes_cluster_node_pool" "batch" {
  name                  = "batch"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.platform.id
  vm_size               = "Standard_D8s_v5"
  node_count            = 2
  os_sku                = "Ubuntu"
  enable_node_public_ip = true
}

resource "azurerm_monitor_diagnostic_setting" "platform_audit" {
  name                       = "aks-platform-audit"
  target_resource_id         = azurerm_kubernetes_cluster.platform.id
  log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-apps/providers/Microsoft.OperationalInsights/workspaces/law"

  enabled_log {
    category = "kube-audit-admin"
  }
}

resource "azurerm_container_registry" "open" {
  name                          = "contosoopenacr"
  resource_group_name           = "rg-apps"
  location                      = "westeurope"
  sku                           = "Premium"
  admin_enabled                 = true
  public_network_access_enabled = true
}

resource "azurerm_container_registry" "basic" {
  name                = "contosobasicacr"
  resource_group_name = "rg-apps"
  location            = "westeurope"
  sku                 = "Basic"
}

resource "azurerm_container_registry" "private" {
  name                          = "contosoprivateacr"
  resource_group_name           = "rg-apps"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
  quarantine_policy_enabled     = true

  trust_policy {
    enabled = true
  }

  retention_policy {
    enabled = true
    days    = 7
  }
}

resource "azurerm_private_endpoint" "private" {
  name                = "pe-contosoprivateacr"
  resource_group_name = "rg-apps"
  location            = "westeurope"
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-apps/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe"

  private_service_connection {
    name                           = "acr"
    is_manual_connection           = false
    private_connection_resource_id = azurerm_container_registry.private.id
    subresource_names              = ["registry"]
  }
}

resource "azurerm_role_assignment" "legacy_pull" {
  scope                = azurerm_container_registry.open.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.legacy.kubelet_identity[0].object_id
}

resource "azurerm_security_center_subscription_pricing" "containers" {
  tier          = "Free"
  resource_type = "Containers"
}
