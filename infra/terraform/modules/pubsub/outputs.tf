output "topic" {
  value = google_pubsub_topic.purchase_intents.name
}

output "subscription" {
  value = google_pubsub_subscription.worker.name
}

output "dead_letter_topic" {
  value = google_pubsub_topic.dead_letter.name
}

output "events_topic" {
  value = google_pubsub_topic.event_definitions.name
}

output "events_subscription" {
  value = google_pubsub_subscription.event_definitions_worker.name
}

output "confirmations_topic" {
  value = google_pubsub_topic.order_confirmations.name
}

output "confirmations_subscription" {
  value = google_pubsub_subscription.mailer.name
}

output "confirmations_dead_letter_topic" {
  value = google_pubsub_topic.confirmations_dead_letter.name
}
