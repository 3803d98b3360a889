# Neither module was installed by `terraform init` (no .terraform/modules here).
module "aks" {
# <- AG005
  source  = "Azure/aks/azurerm"
  version = "7.3.1"

  cluster_name = "remote-aks"
}

module "network" {
# <- AG005
  source = "git::https://example.com/org/network.git?ref=v2"
}
