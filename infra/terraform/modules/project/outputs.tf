output "services" {
  description = "Enabled APIs; other modules depend on this so they wait for the APIs."
  value       = [for s in google_project_service.enabled : s.service]
}
