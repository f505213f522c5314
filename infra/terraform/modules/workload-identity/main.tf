# One Google service account per Kubernetes ServiceAccount (namespace frequency),
# each with only the roles its process needs. The KSA carries the
# iam.gke.io/gcp-service-account annotation (infra/k8s/overlays/*/service-accounts.yaml).
locals {
  apps = toset(["waiting-room", "checkout", "worker", "web", "migrate"])
}

resource "google_service_account" "app" {
  for_each     = local.apps
  project      = var.project_id
  account_id   = each.value
  display_name = "frequency ${each.value} (GKE Workload Identity)"
}

resource "google_service_account_iam_member" "workload_identity" {
  for_each           = local.apps
  service_account_id = google_service_account.app[each.value].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${each.value}]"
}

# checkout publishes purchase intents.
resource "google_pubsub_topic_iam_member" "checkout_publishes" {
  project = var.project_id
  topic   = var.topic
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.app["checkout"].email}"
}

# worker pulls and acks them, and parks what it cannot persist on the dead-letter topic.
resource "google_pubsub_subscription_iam_member" "worker_subscribes" {
  project      = var.project_id
  subscription = var.subscription
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.app["worker"].email}"
}

resource "google_pubsub_topic_iam_member" "worker_dead_letters" {
  project = var.project_id
  topic   = var.dead_letter_topic
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.app["worker"].email}"
}

# The waiting room publishes event definitions to the ledger.
resource "google_pubsub_topic_iam_member" "waiting_room_publishes_definitions" {
  project = var.project_id
  topic   = var.events_topic
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.app["waiting-room"].email}"
}

# The worker stores them, announces confirmed orders, and its mailer sends their e-mails.
resource "google_pubsub_subscription_iam_member" "worker_reads_definitions" {
  project      = var.project_id
  subscription = var.events_subscription
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.app["worker"].email}"
}

resource "google_pubsub_topic_iam_member" "worker_publishes_confirmations" {
  for_each = toset([var.confirmations_topic, var.confirmations_dead_letter_topic])
  project  = var.project_id
  topic    = each.value
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${google_service_account.app["worker"].email}"
}

resource "google_pubsub_subscription_iam_member" "mailer_subscribes" {
  project      = var.project_id
  subscription = var.confirmations_subscription
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.app["worker"].email}"
}

# The custom metrics Stackdriver adapter reads the subscription backlog for the
# worker's HorizontalPodAutoscaler.
resource "google_service_account" "metrics_adapter" {
  project      = var.project_id
  account_id   = "metrics-adapter"
  display_name = "custom-metrics-stackdriver-adapter (GKE Workload Identity)"
}

resource "google_project_iam_member" "metrics_adapter_reads_monitoring" {
  project = var.project_id
  role    = "roles/monitoring.viewer"
  member  = "serviceAccount:${google_service_account.metrics_adapter.email}"
}

resource "google_service_account_iam_member" "metrics_adapter_workload_identity" {
  service_account_id = google_service_account.metrics_adapter.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[custom-metrics/custom-metrics-stackdriver-adapter]"
}

# GitHub Actions deploys without a key: OIDC tokens from this repository's main
# branch are exchanged for the deployer service account.
resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = "github"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
    "attribute.ref"        = "assertion.ref"
  }
  attribute_condition = "assertion.repository == \"${var.github_repository}\" && assertion.ref == \"refs/heads/main\""
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = "deployer"
  display_name = "GitHub Actions deploy (.github/workflows/deploy.yml)"
}

resource "google_service_account_iam_member" "deployer_from_github" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/${var.github_repository}"
}

resource "google_project_iam_member" "deployer" {
  for_each = toset([
    "roles/artifactregistry.writer",
    "roles/container.developer",
    "roles/secretmanager.secretAccessor",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer.email}"
}
