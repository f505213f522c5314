output "service_accounts" {
  description = "Kubernetes ServiceAccount name => Google service account email (iam.gke.io/gcp-service-account)."
  value       = { for name, sa in google_service_account.app : name => sa.email }
}

output "metrics_adapter_service_account" {
  value = google_service_account.metrics_adapter.email
}

output "deployer_service_account" {
  value = google_service_account.deployer.email
}

output "github_workload_identity_provider" {
  description = "workload_identity_provider input of google-github-actions/auth."
  value       = google_iam_workload_identity_pool_provider.github.name
}
