variable "environment" {
  type    = string
  default = "dev"
}

variable "clusters" {
  type = map(object({ local_accounts = bool, os_sku = string }))
  default = {
    alpha = { local_accounts = true, os_sku = "AzureLinux" }
    beta  = { local_accounts = false, os_sku = "Ubuntu" }
  }
}

variable "access_profiles" {
  type    = list(object({ ranges = list(string) }))
  default = [{ ranges = ["10.0.0.0/8"] }]
}

variable "from_tfvars" {
  type    = bool
  default = true
}

variable "no_default" {
  type = bool
}
