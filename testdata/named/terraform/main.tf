# Every finding of this root lies in its module: naming main.tf alone shows none of them.
module "aks" {
  source = "./modules/aks"
  name   = "named"
}
