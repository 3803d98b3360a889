output "sku" {
  value = "Basic"
}

output "admin_enabled" {
  value = true
}
