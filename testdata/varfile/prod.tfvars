# Not loaded by itself: only with --var-file.
local_account_disabled = false
