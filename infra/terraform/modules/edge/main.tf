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

# The ops door's own load balancer (infra/k8s/base/ops-ingress.yaml, behind IAP):
# its own address and certificate, so the ops host shares nothing with the fans'.
resource "google_compute_global_address" "ops" {
  project = var.project_id
  name    = "frequency-ops-ingress"
}

resource "google_compute_managed_ssl_certificate" "ops" {
  project = var.project_id
  name    = "frequency-ops-cert"
  managed {
    domains = [var.ops_domain]
  }
}
