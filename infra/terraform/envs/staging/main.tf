# staging: one GCP project. Everything it runs on is modules/platform, the same
# module production calls; this file holds only staging's values.

locals {
  project_id = "frequency-staging"
  region     = "europe-west3"
}

module "platform" {
  source = "../../modules/platform"

  project_id                 = local.project_id
  region                     = local.region
  domains                    = ["staging.tickets.example.com", "queue.staging.tickets.example.com", "checkout.staging.tickets.example.com"]
  ops_domain                 = "ops.staging.tickets.example.com"
  github_repository          = "frequency-festival/waiting-room"
  master_authorized_networks = ["203.0.113.0/24"]
  gke_machine_type           = "c3-standard-4"
  gke_min_nodes_per_zone     = 1
  gke_max_nodes_per_zone     = 3
  cloudsql_tier              = "db-custom-2-7680"
  # Changing redis_mode also means the overlay's components/redis-cluster (docs/deploy.md).
  redis_mode                  = "instance"
  redis_memory_size_gb        = 5
  redis_cluster_shard_count   = 3
  redis_cluster_replica_count = 1
  redis_cluster_node_type     = "REDIS_HIGHMEM_MEDIUM"
  artifact_registry_readers   = ["serviceAccount:deployer@frequency-production.iam.gserviceaccount.com"]
}
