data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # Google's own agent moves undeliverable messages to the dead-letter topic.
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "purchase_intents" {
  project                    = var.project_id
  name                       = var.topic
  message_retention_duration = "86400s"
}

resource "google_pubsub_topic" "dead_letter" {
  project = var.project_id
  name    = var.dead_letter_topic
}

resource "google_pubsub_subscription" "worker" {
  project = var.project_id
  name    = var.subscription
  topic   = google_pubsub_topic.purchase_intents.id

  # The worker commits a batch well within this; unacked messages come back after it.
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = "" # never expires; by default an idle subscription is deleted after 31 days
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  # A message the worker cannot persist after 10 tries (a bug, not a blip) is parked,
  # not retried forever in front of the others.
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 10
  }
}

# A topic without a subscription drops what it receives: this one keeps dead
# letters for inspection and replay.
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.dead_letter_topic}-hold"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acks_forwarded" {
  project      = var.project_id
  subscription = google_pubsub_subscription.worker.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Event definitions and ops changes, from the waiting room to the ledger (the worker). The waiting
# room publishes every event again every 30 s, so a day's retention is plenty.
resource "google_pubsub_topic" "event_definitions" {
  project                    = var.project_id
  name                       = var.events_topic
  message_retention_duration = "86400s"
}

resource "google_pubsub_subscription" "event_definitions_worker" {
  project                    = var.project_id
  name                       = var.events_subscription
  topic                      = google_pubsub_topic.event_definitions.id
  ack_deadline_seconds       = 30
  message_retention_duration = "86400s"
  expiration_policy {
    ttl = ""
  }
  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "60s"
  }
}

# Orders the ledger confirmed, for the mailer. No delivery-attempt cap: an SMTP outage counts as
# attempts, and a good mail must wait for the relay, not be parked.
resource "google_pubsub_topic" "order_confirmations" {
  project                    = var.project_id
  name                       = var.confirmations_topic
  message_retention_duration = "604800s"
}

resource "google_pubsub_topic" "confirmations_dead_letter" {
  project = var.project_id
  name    = var.confirmations_dead_letter_topic
}

resource "google_pubsub_subscription" "mailer" {
  project                    = var.project_id
  name                       = var.confirmations_subscription
  topic                      = google_pubsub_topic.order_confirmations.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
}

resource "google_pubsub_subscription" "confirmations_dead_letter" {
  project                    = var.project_id
  name                       = "${var.confirmations_dead_letter_topic}-hold"
  topic                      = google_pubsub_topic.confirmations_dead_letter.id
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}
