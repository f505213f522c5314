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

# PUBSUB_EVENTS_TOPIC, PUBSUB_EVENTS_SUBSCRIPTION.
variable "events_topic" {
  type    = string
  default = "event-definitions"
}

variable "events_subscription" {
  type    = string
  default = "event-definitions-worker"
}

# PUBSUB_CONFIRMATIONS_TOPIC, PUBSUB_CONFIRMATIONS_SUBSCRIPTION, PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC.
variable "confirmations_topic" {
  type    = string
  default = "order-confirmations"
}

variable "confirmations_subscription" {
  type    = string
  default = "order-confirmations-mailer"
}

variable "confirmations_dead_letter_topic" {
  type    = string
  default = "order-confirmations-dead-letter"
}
