output "ingress_ip" {
  description = "Point the DNS records of var.domains here."
  value       = google_compute_global_address.ingress.address
}

output "ingress_ip_name" {
  value = google_compute_global_address.ingress.name
}

output "certificate_name" {
  value = google_compute_managed_ssl_certificate.ingress.name
}

output "ops_ingress_ip" {
  description = "Point the DNS record of var.ops_domain here."
  value       = google_compute_global_address.ops.address
}

output "ops_ingress_ip_name" {
  value = google_compute_global_address.ops.name
}

output "ops_certificate_name" {
  value = google_compute_managed_ssl_certificate.ops.name
}
