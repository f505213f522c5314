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

variable "tier" {
  type = string
}

variable "max_connections" {
  type    = number
  default = 400
}
