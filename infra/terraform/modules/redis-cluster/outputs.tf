output "discovery_address" {
  value = google_redis_cluster.main.discovery_endpoints[0].address
}

output "discovery_port" {
  value = google_redis_cluster.main.discovery_endpoints[0].port
}

output "psc_cidr" {
  description = "Egress range for Redis in the redis-egress NetworkPolicy (components/redis-cluster)."
  value       = var.psc_cidr
}

output "nodes_secret" {
  description = "Secret Manager secret id that holds REDIS_CLUSTER_NODES."
  value       = google_secret_manager_secret.nodes.secret_id
}
