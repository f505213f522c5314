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

variable "events_topic" {
  type = string
}

variable "events_subscription" {
  type = string
}

variable "confirmations_topic" {
  type = string
}

variable "confirmations_subscription" {
  type = string
}

variable "confirmations_dead_letter_topic" {
  type = string
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository whose main branch may deploy."
}
