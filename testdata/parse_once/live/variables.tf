variable "local_accounts_off" {
  type = bool
}
