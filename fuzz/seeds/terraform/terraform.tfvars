environment = "prod"
ranges      = ["0.0.0.0/0", "10.1.0.0/16"]
clusters = {
  c = { os_sku = "AzureLinux", local_accounts = false }
}
