# Memorystore for Redis Cluster: the same role as modules/redis (queue, stock and
# reservations live here during a sale), sharded. Every key of one event carries
# the event's hash tag, so each Lua script stays on one slot and one event on one
# shard: shards spread events, the node type bounds what one event can take.

# Memorystore reaches a cluster only through Private Service Connect: the service
# connection policy lets it create, in this subnet, the discovery endpoint and the
# endpoint behind which the nodes listen. The private services range of
# modules/network (VPC peering) is not used by a cluster.
resource "google_compute_subnetwork" "psc" {
  project       = var.project_id
  name          = "${var.name}-redis-psc"
  region        = var.region
  network       = var.network_id
  ip_cidr_range = var.psc_cidr
}

resource "google_network_connectivity_service_connection_policy" "redis" {
  project       = var.project_id
  name          = "${var.name}-memorystore-redis"
  location      = var.region
  service_class = "gcp-memorystore-redis"
  network       = var.network_id
  psc_config {
    subnetworks = [google_compute_subnetwork.psc.id]
  }
}

resource "google_redis_cluster" "main" {
  project       = var.project_id
  name          = var.name
  region        = var.region
  shard_count   = var.shard_count
  replica_count = var.replica_count
  node_type     = var.node_type
  psc_configs {
    network = var.network_id
  }
  # Replicas in other zones than their primary, with automatic failover.
  zone_distribution_config {
    mode = "MULTI_ZONE"
  }
  # The apps speak plain Redis with no password to a cluster (REDIS_CLUSTER_NODES
  # is host:port only). Reach is what guards it: the PSC endpoints exist only in
  # this VPC and the redis-egress NetworkPolicy admits only the three services.
  # TLS is off for the throughput reason modules/redis gives.
  authorization_mode          = "AUTH_MODE_DISABLED"
  transit_encryption_mode     = "TRANSIT_ENCRYPTION_MODE_DISABLED"
  deletion_protection_enabled = true

  redis_configs = {
    # Never evict: a dropped queue entry or stock counter is a lost fan or an oversale.
    "maxmemory-policy" = "noeviction"
  }

  # Snapshots bound what a double failure loses to one hour of writes; the worker's
  # reconciliation gauges show any gap against Postgres.
  persistence_config {
    mode = "RDB"
    rdb_config {
      rdb_snapshot_period = "ONE_HOUR"
    }
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "TUESDAY"
      start_time {
        hours   = 3
        minutes = 0
      }
    }
  }

  depends_on = [google_network_connectivity_service_connection_policy.redis]
}

# REDIS_CLUSTER_NODES for the apps, through the same path REDIS_URL takes
# (Secret Manager, then infra/scripts/sync-secrets.sh). The discovery endpoint
# is enough: a cluster client learns every node from it.
resource "google_secret_manager_secret" "nodes" {
  project   = var.project_id
  secret_id = "redis-cluster-nodes"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "nodes" {
  secret      = google_secret_manager_secret.nodes.id
  secret_data = "${google_redis_cluster.main.discovery_endpoints[0].address}:${google_redis_cluster.main.discovery_endpoints[0].port}"
}
