resource "random_password" "app" {
  length  = 32
  special = false
}

resource "google_sql_database_instance" "main" {
  project          = var.project_id
  name             = var.name
  region           = var.region
  database_version = "POSTGRES_15"
  # Refuses `terraform destroy` and replacement; turning it off is a deliberate edit.
  deletion_protection = true

  settings {
    tier = var.tier
    # A standby in another zone with synchronous replication; failover in about a minute.
    availability_type           = "REGIONAL"
    disk_type                   = "PD_SSD"
    disk_autoresize             = true
    deletion_protection_enabled = true

    ip_configuration {
      # Private IP only: reachable from the VPC through private services access.
      ipv4_enabled                                  = false
      private_network                               = var.network_id
      enable_private_path_for_google_cloud_services = true
      ssl_mode                                      = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      start_time                     = "02:00"
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = 7
      backup_retention_settings {
        retained_backups = 30
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 2
      hour         = 3
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled = true
    }

    database_flags {
      name  = "max_connections"
      value = tostring(var.max_connections)
    }
  }
}

resource "google_sql_database" "frequency" {
  project  = var.project_id
  instance = google_sql_database_instance.main.name
  name     = "frequency"
}

resource "google_sql_user" "app" {
  project  = var.project_id
  instance = google_sql_database_instance.main.name
  name     = "frequency"
  password = random_password.app.result
}

# DATABASE_URL for the worker and the migration Job. It holds the password, so it
# lives in Secret Manager (and in the encrypted state bucket), never in a manifest.
resource "google_secret_manager_secret" "database_url" {
  project   = var.project_id
  secret_id = "database-url"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "database_url" {
  secret      = google_secret_manager_secret.database_url.id
  secret_data = "postgres://${google_sql_user.app.name}:${random_password.app.result}@${google_sql_database_instance.main.private_ip_address}:5432/${google_sql_database.frequency.name}?sslmode=require"
}
