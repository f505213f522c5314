variable "project_id" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west3"
}

variable "domains" {
  type        = list(string)
  description = "web, queue. and checkout. hostnames; the same as the overlay's ingress hosts."
}

variable "ops_domain" {
  type        = string
  description = "ops. hostname (console and ops API, behind IAP); the same as the overlay's frequency-ops host."
}

variable "github_repository" {
  type = string
}

variable "master_authorized_networks" {
  type = list(string)
}

variable "gke_machine_type" {
  type    = string
  default = "c3-standard-8"
}

variable "gke_min_nodes_per_zone" {
  type = number
}

variable "gke_max_nodes_per_zone" {
  type = number
}

variable "cloudsql_tier" {
  type = string
}

variable "redis_memory_size_gb" {
  type = number
}

variable "artifact_registry_readers" {
  type        = list(string)
  description = "Members that may pull this environment's images (staging: production's deployer)."
  default     = []
}
