module "first" {
  source                 = "../modules/aks"
  name                   = "aks-first"
  local_account_disabled = false
                           # <- AKS005
}

module "second" {
  source                 = "../modules/aks"
  name                   = "aks-second"
  local_account_disabled = var.local_accounts_off
}

module "more" {
  source = "../modules/aks"
  count  = 2
  name   = "aks-more-${count.index}"
}
