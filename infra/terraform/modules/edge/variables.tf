variable "project_id" {
  type = string
}

variable "domains" {
  type        = list(string)
  description = "Hostnames of the ingress rules: web, queue. and checkout."
}
