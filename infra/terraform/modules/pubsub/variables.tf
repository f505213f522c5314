variable "project_id" {
  type = string
}

# Names as in docs/conventions.md (PUBSUB_TOPIC, PUBSUB_SUBSCRIPTION, PUBSUB_DEAD_LETTER_TOPIC).
variable "topic" {
  type    = string
  default = "purchase-intents"
}

variable "subscription" {
  type    = string
  default = "purchase-intents-worker"
}

variable "dead_letter_topic" {
  type    = string
  default = "purchase-intents-dead-letter"
}
