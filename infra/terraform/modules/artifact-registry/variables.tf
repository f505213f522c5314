variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "repository_id" {
  type    = string
  default = "frequency"
}

variable "reader_members" {
  type        = list(string)
  description = "IAM members allowed to pull, e.g. the other environment's deployer."
  default     = []
}
