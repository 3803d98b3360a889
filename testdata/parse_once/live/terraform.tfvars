local_accounts_off = false
                     # <- AKS005
