terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

# A registry module: `terraform init` installed it under .terraform/modules.
module "aks" {
  source  = "Azure/aks/azurerm"
  version = "9.0.0"

  cluster_name           = "installed-aks"
  local_account_disabled = false
}

# Not installed: unknown, never an error.
module "acr" {
  source  = "Azure/avm-res-containerregistry-registry/azurerm"
  version = "0.4.0"
  name    = "installedacr"
}
