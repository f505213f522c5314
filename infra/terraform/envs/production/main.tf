# production: one GCP project. Everything it runs on is modules/platform, the same
# module staging calls; this file holds only production's values.

locals {
  project_id = "frequency-production"
  region     = "europe-west3"
}

module "platform" {
  source = "../../modules/platform"

  project_id                 = local.project_id
  region                     = local.region
  domains                    = ["tickets.example.com", "queue.tickets.example.com", "checkout.tickets.example.com"]
  ops_domain                 = "ops.tickets.example.com"
  github_repository          = "frequency-festival/waiting-room"
  master_authorized_networks = ["203.0.113.0/24"]
  gke_machine_type           = "c3-standard-8"
  gke_min_nodes_per_zone     = 3
  gke_max_nodes_per_zone     = 10
  cloudsql_tier              = "db-custom-8-30720"
  # Changing redis_mode also means the overlay's components/redis-cluster (docs/deploy.md).
  redis_mode           = "instance"
  redis_memory_size_gb = 35
  # One sale is one event on one shard: the node type, not the shard count, is
  # what carries it (docs/capacity-plan.md, "Shards").
  redis_cluster_shard_count   = 3
  redis_cluster_replica_count = 1
  redis_cluster_node_type     = "REDIS_HIGHMEM_XLARGE"
  artifact_registry_readers   = []
}
