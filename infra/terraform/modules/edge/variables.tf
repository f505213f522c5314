variable "project_id" {
  type = string
}

variable "domains" {
  type        = list(string)
  description = "Hostnames of the ingress rules: web, queue. and checkout."
}

variable "ops_domain" {
  type        = string
  description = "Hostname of the ops Ingress (console and ops API, behind IAP)."
}
