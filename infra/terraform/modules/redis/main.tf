# The queue, the stock and the reservations live here during a sale: Redis is the
# source of truth until the worker has persisted an order.
resource "google_redis_instance" "main" {
  project        = var.project_id
  name           = var.name
  region         = var.region
  redis_version  = "REDIS_7_2"
  memory_size_gb = var.memory_size_gb
  # Primary and replica in different zones with automatic failover.
  tier                    = "STANDARD_HA"
  authorized_network      = var.network_id
  connect_mode            = "PRIVATE_SERVICE_ACCESS"
  auth_enabled            = true
  transit_encryption_mode = "DISABLED" # see docs/deploy.md: TLS costs throughput we need; traffic stays in the VPC

  redis_configs = {
    # Never evict: a dropped queue entry or stock counter is a lost fan or an oversale.
    "maxmemory-policy" = "noeviction"
  }

  # Snapshots bound what a double failure loses to one hour of writes; the worker's
  # reconciliation gauges show any gap against Postgres.
  persistence_config {
    persistence_mode    = "RDB"
    rdb_snapshot_period = "ONE_HOUR"
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
}

# REDIS_URL for the apps (holds the AUTH string).
resource "google_secret_manager_secret" "redis_url" {
  project   = var.project_id
  secret_id = "redis-url"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "redis_url" {
  secret      = google_secret_manager_secret.redis_url.id
  secret_data = "redis://:${google_redis_instance.main.auth_string}@${google_redis_instance.main.host}:${google_redis_instance.main.port}/0"
}
