variable "project_id" {
  type = string
}

variable "region" {
  type = string
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
  type = string
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

variable "redis_mode" {
  type        = string
  description = "\"instance\": one Memorystore for Redis primary (REDIS_URL). \"cluster\": Memorystore for Redis Cluster (REDIS_CLUSTER_NODES)."
  validation {
    condition     = contains(["instance", "cluster"], var.redis_mode)
    error_message = "redis_mode is \"instance\" or \"cluster\"."
  }
}

variable "redis_memory_size_gb" {
  type        = number
  description = "redis_mode = \"instance\": the instance's size; its network throughput grows with it."
}

variable "redis_cluster_shard_count" {
  type        = number
  description = "redis_mode = \"cluster\": primaries. One event's keys share a hash tag, so one event lives on one shard."
}

variable "redis_cluster_replica_count" {
  type        = number
  description = "redis_mode = \"cluster\": replicas per shard, in other zones."
}

variable "redis_cluster_node_type" {
  type        = string
  description = "redis_mode = \"cluster\": node type of every shard; it bounds what one event can take."
}

variable "artifact_registry_readers" {
  type        = list(string)
  description = "Members that may pull this environment's images (staging: production's deployer)."
}
