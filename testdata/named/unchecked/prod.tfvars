# Loaded by Terraform only with -var-file.
local_account_disabled = false
