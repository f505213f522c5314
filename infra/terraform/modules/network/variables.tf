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

variable "nodes_cidr" {
  type    = string
  default = "10.10.0.0/20"
}

variable "pods_cidr" {
  type    = string
  default = "10.20.0.0/14"
}

variable "services_cidr" {
  type    = string
  default = "10.24.0.0/20"
}

variable "private_services_cidr" {
  type        = string
  description = "Range peered to Google for Cloud SQL and Memorystore; the NetworkPolicies in infra/k8s/base name it."
  default     = "10.100.0.0/16"
}
