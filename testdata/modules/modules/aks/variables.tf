variable "name" {
  type = string
}

variable "local_account_disabled" {
  type    = bool
  default = true
}
