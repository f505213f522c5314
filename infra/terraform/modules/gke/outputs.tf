output "cluster_name" {
  value = google_container_cluster.main.name
}

output "cluster_location" {
  value = google_container_cluster.main.location
}

output "workload_pool" {
  value = "${var.project_id}.svc.id.goog"
}
