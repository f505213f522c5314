output "host" {
  value = google_redis_instance.main.host
}

output "port" {
  value = google_redis_instance.main.port
}

output "redis_url_secret" {
  description = "Secret Manager secret id that holds REDIS_URL."
  value       = google_secret_manager_secret.redis_url.secret_id
}
