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
  type = string
}

variable "memory_size_gb" {
  type        = number
  description = "Memorystore's network throughput grows with the size; see the capacity plan."
}
