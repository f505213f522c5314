output "secret_ids" {
  description = "Environment variable name => Secret Manager secret id."
  value = merge(
    { for name, secret in google_secret_manager_secret.app : name => secret.secret_id },
    { OPS_TOKENS = google_secret_manager_secret.ops_tokens.secret_id },
  )
}
