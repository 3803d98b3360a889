variable "kubernetes_version" {
  default = "1.24.9"
            # <- AKS013
            # <- AKS013
}

module "cluster" {
  source             = "./modules/cluster"
  kubernetes_version = var.kubernetes_version
}

module "pool" {
  source               = "./modules/pool"
  cluster_id           = module.cluster.id
  orchestrator_version = var.kubernetes_version
}
