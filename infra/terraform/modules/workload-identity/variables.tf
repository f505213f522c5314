variable "project_id" {
  type = string
}

variable "namespace" {
  type    = string
  default = "frequency"
}

variable "topic" {
  type = string
}

variable "subscription" {
  type = string
}

variable "dead_letter_topic" {
  type = string
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository whose main branch may deploy."
}
