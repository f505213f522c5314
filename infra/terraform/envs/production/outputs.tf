# This environment's outputs are the platform's (modules/platform/outputs.tf says who reads them).
output "project_id" {
  value = module.platform.project_id
}

output "region" {
  value = module.platform.region
}

output "cluster_name" {
  value = module.platform.cluster_name
}

output "artifact_registry_url" {
  value = module.platform.artifact_registry_url
}

output "workload_identity_service_accounts" {
  value = module.platform.workload_identity_service_accounts
}

output "metrics_adapter_service_account" {
  value = module.platform.metrics_adapter_service_account
}

output "deployer_service_account" {
  value = module.platform.deployer_service_account
}

output "github_workload_identity_provider" {
  value = module.platform.github_workload_identity_provider
}

output "private_services_cidr" {
  value = module.platform.private_services_cidr
}

output "pubsub_topic" {
  value = module.platform.pubsub_topic
}

output "pubsub_subscription" {
  value = module.platform.pubsub_subscription
}

output "pubsub_dead_letter_topic" {
  value = module.platform.pubsub_dead_letter_topic
}

output "ingress_ip" {
  value = module.platform.ingress_ip
}

output "ingress_ip_name" {
  value = module.platform.ingress_ip_name
}

output "certificate_name" {
  value = module.platform.certificate_name
}

output "ops_ingress_ip" {
  value = module.platform.ops_ingress_ip
}

output "ops_ingress_ip_name" {
  value = module.platform.ops_ingress_ip_name
}

output "ops_certificate_name" {
  value = module.platform.ops_certificate_name
}

output "redis_mode" {
  value = module.platform.redis_mode
}

output "redis_psc_cidr" {
  value = module.platform.redis_psc_cidr
}

output "secret_ids" {
  value = module.platform.secret_ids
}
