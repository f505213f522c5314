variable "project_id" {
  type        = string
  description = "GCP project that hosts one environment."
}
