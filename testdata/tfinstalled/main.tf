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
# <- AKS018
# <- AKS001
# <- AKS004
# <- AKS007
# <- AKS008
# <- AKS009
# <- AKS010
# <- AKS011
# <- AKS014
# <- AKS016
# <- AKS017
# <- AKS019
# <- DEF001
# <- LZ001
  source  = "Azure/aks/azurerm"
  version = "9.0.0"

  cluster_name           = "installed-aks"
  local_account_disabled = false
                           # <- AKS005
}

# Not installed: unknown, never an error.
module "acr" {
# <- AG005
  source  = "Azure/avm-res-containerregistry-registry/azurerm"
  version = "0.4.0"
  name    = "installedacr"
}
