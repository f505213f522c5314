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
