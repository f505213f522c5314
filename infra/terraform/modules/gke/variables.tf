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

variable "network_name" {
  type = string
}

variable "subnetwork_name" {
  type = string
}

variable "master_cidr" {
  type    = string
  default = "172.16.0.0/28"
}

variable "master_authorized_networks" {
  type        = list(string)
  description = "CIDRs allowed to reach the Kubernetes API (CI runners, operators)."
}

variable "machine_type" {
  type    = string
  default = "c3-standard-8"
}

variable "min_nodes_per_zone" {
  type = number
}

variable "max_nodes_per_zone" {
  type = number
}
