# The waiting room's signing keys and the ops token, and checkout's receipt key.
# Terraform creates the secrets but not their values:
# infra/scripts/generate-secrets.ts makes them on an operator's machine and they
# go straight into Secret Manager, never into state.
resource "google_secret_manager_secret" "app" {
  for_each  = var.secrets
  project   = var.project_id
  secret_id = each.value
  replication {
    auto {}
  }
}

# Named ops tokens (OPS_TOKENS, "alice:<token>,bob:<token>"), one per person so the
# audit trail names who changed what. Optional: sync-secrets.sh copies it only once
# ops have added a version; until then OPS_TOKEN alone (named "ops") works.
resource "google_secret_manager_secret" "ops_tokens" {
  project   = var.project_id
  secret_id = "ops-tokens"
  replication {
    auto {}
  }
}
