output "secret_ids" {
  description = "Environment variable name => Secret Manager secret id."
  value       = { for name, secret in google_secret_manager_secret.app : name => secret.secret_id }
}
