# Everything one environment (one GCP project) runs on. envs/staging and
# envs/production call this module once each and differ only in the values they
# pass it, so what is built can never drift between the two.

module "project" {
  source     = "../project"
  project_id = var.project_id
}

module "network" {
  source     = "../network"
  project_id = var.project_id
  region     = var.region
  depends_on = [module.project]
}

module "gke" {
  source                     = "../gke"
  project_id                 = var.project_id
  region                     = var.region
  network_name               = module.network.network_name
  subnetwork_name            = module.network.subnetwork_name
  master_authorized_networks = var.master_authorized_networks
  machine_type               = var.gke_machine_type
  min_nodes_per_zone         = var.gke_min_nodes_per_zone
  max_nodes_per_zone         = var.gke_max_nodes_per_zone
}

module "cloudsql" {
  source     = "../cloudsql"
  project_id = var.project_id
  region     = var.region
  network_id = module.network.network_id
  tier       = var.cloudsql_tier
  # The instance takes its private IP from the peered range, which must exist first.
  depends_on = [module.network]
}

# Exactly one of the two Redis shapes exists (var.redis_mode); docs/deploy.md,
# "Redis: one instance or a cluster", says how to choose.
module "redis" {
  source         = "../redis"
  count          = var.redis_mode == "instance" ? 1 : 0
  project_id     = var.project_id
  region         = var.region
  network_id     = module.network.network_id
  memory_size_gb = var.redis_memory_size_gb
  depends_on     = [module.network]
}

module "redis_cluster" {
  source        = "../redis-cluster"
  count         = var.redis_mode == "cluster" ? 1 : 0
  project_id    = var.project_id
  region        = var.region
  network_id    = module.network.network_id
  shard_count   = var.redis_cluster_shard_count
  replica_count = var.redis_cluster_replica_count
  node_type     = var.redis_cluster_node_type
  # The Memorystore and Network Connectivity APIs must be on first.
  depends_on = [module.project]
}

module "pubsub" {
  source     = "../pubsub"
  project_id = var.project_id
  depends_on = [module.project]
}

module "artifact_registry" {
  source         = "../artifact-registry"
  project_id     = var.project_id
  region         = var.region
  reader_members = var.artifact_registry_readers
  depends_on     = [module.project]
}

module "secrets" {
  source     = "../secrets"
  project_id = var.project_id
  depends_on = [module.project]
}

module "workload_identity" {
  source            = "../workload-identity"
  project_id        = var.project_id
  topic             = module.pubsub.topic
  subscription      = module.pubsub.subscription
  dead_letter_topic = module.pubsub.dead_letter_topic
  github_repository = var.github_repository

  events_topic                    = module.pubsub.events_topic
  events_subscription             = module.pubsub.events_subscription
  confirmations_topic             = module.pubsub.confirmations_topic
  confirmations_subscription      = module.pubsub.confirmations_subscription
  confirmations_dead_letter_topic = module.pubsub.confirmations_dead_letter_topic
  # The workload pool exists once the cluster does.
  depends_on = [module.gke]
}

module "edge" {
  source     = "../edge"
  project_id = var.project_id
  domains    = var.domains
  ops_domain = var.ops_domain
  depends_on = [module.project]
}
