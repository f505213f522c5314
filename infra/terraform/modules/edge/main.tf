# The ingress's public address and certificate, referenced by name from
# infra/k8s/base/ingress.yaml (global-static-ip-name, pre-shared-cert).
resource "google_compute_global_address" "ingress" {
  project = var.project_id
  name    = "frequency-ingress"
}

resource "google_compute_managed_ssl_certificate" "ingress" {
  project = var.project_id
  name    = "frequency-cert"
  managed {
    domains = var.domains
  }
}
