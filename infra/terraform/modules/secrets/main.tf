# The waiting room's signing keys and the ops token. Terraform creates the secrets
# but not their values: infra/scripts/generate-secrets.ts makes them on an
# operator's machine and they go straight into Secret Manager, never into state.
resource "google_secret_manager_secret" "app" {
  for_each  = var.secrets
  project   = var.project_id
  secret_id = each.value
  replication {
    auto {}
  }
}
