output "network_id" {
  value = google_compute_network.vpc.id
}

output "network_name" {
  value = google_compute_network.vpc.name
}

output "subnetwork_name" {
  value = google_compute_subnetwork.nodes.name
}

output "private_services_cidr" {
  description = "Egress range for Redis and Postgres in the NetworkPolicies."
  value       = var.private_services_cidr
}

output "private_services_connection" {
  description = "Depend on this before creating Cloud SQL or Memorystore."
  value       = google_service_networking_connection.private_services.id
}
