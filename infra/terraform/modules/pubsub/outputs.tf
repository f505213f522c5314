output "topic" {
  value = google_pubsub_topic.purchase_intents.name
}

output "subscription" {
  value = google_pubsub_subscription.worker.name
}

output "dead_letter_topic" {
  value = google_pubsub_topic.dead_letter.name
}
