output "instance_name" {
  value = google_sql_database_instance.main.name
}

output "private_ip" {
  value = google_sql_database_instance.main.private_ip_address
}

output "database_url_secret" {
  description = "Secret Manager secret id that holds DATABASE_URL."
  value       = google_secret_manager_secret.database_url.secret_id
}
