output "url" {
  description = "Image prefix used in the overlays' images: newName."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}
