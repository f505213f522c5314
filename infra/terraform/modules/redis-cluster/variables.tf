variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name" {
  type    = string
  default = "frequency"
}

variable "network_id" {
  type        = string
  description = "projects/<project>/global/networks/<name>: the form psc_configs asks for (google_compute_network.id)."
}

variable "psc_cidr" {
  type = string
  # Beside the nodes' 10.10.0.0/20 (modules/network). A cluster takes two
  # addresses; /28 leaves room for a second cluster during a migration.
  # components/redis-cluster in infra/k8s names the same range.
  default = "10.10.16.0/28"
}

variable "shard_count" {
  type = number
  validation {
    condition     = var.shard_count >= 1
    error_message = "A cluster has at least one shard."
  }
}

variable "replica_count" {
  type        = number
  description = "Replicas per shard. At least 1: a shard without one loses its keys with its node, and checkout's WAIT (REDIS_MIN_REPLICAS_ACK) needs one."
  validation {
    condition     = var.replica_count >= 1 && var.replica_count <= 2
    error_message = "replica_count is 1 or 2."
  }
}

variable "node_type" {
  type = string
  validation {
    condition     = contains(["REDIS_SHARED_CORE_NANO", "REDIS_STANDARD_SMALL", "REDIS_HIGHMEM_MEDIUM", "REDIS_HIGHMEM_XLARGE"], var.node_type)
    error_message = "node_type is one of Memorystore's: REDIS_SHARED_CORE_NANO, REDIS_STANDARD_SMALL, REDIS_HIGHMEM_MEDIUM, REDIS_HIGHMEM_XLARGE."
  }
}
