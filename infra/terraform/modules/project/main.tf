# APIs the platform uses. disable_on_destroy = false: destroying this stack must
# not switch off an API that something else in the project may rely on.
resource "google_project_service" "enabled" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "monitoring.googleapis.com",
    "networkconnectivity.googleapis.com", # service connection policy (redis_mode = "cluster")
    "pubsub.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "serviceconsumermanagement.googleapis.com", # Memorystore Cluster's PSC endpoints
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
  ])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
