# What the manifests and the deploy workflow consume (infra/k8s/overlays/*,
# .github/workflows/deploy.yml); each environment re-exports these as its own outputs.

output "project_id" {
  description = "PUBSUB_PROJECT_ID in the overlay's frequency-config."
  value       = var.project_id
}

output "region" {
  value = var.region
}

output "cluster_name" {
  description = "GKE_CLUSTER in the deploy workflow."
  value       = module.gke.cluster_name
}

output "artifact_registry_url" {
  description = "Prefix of the overlay's images: newName."
  value       = module.artifact_registry.url
}

output "workload_identity_service_accounts" {
  description = "iam.gke.io/gcp-service-account per ServiceAccount (overlay service-accounts.yaml)."
  value       = module.workload_identity.service_accounts
}

output "metrics_adapter_service_account" {
  value = module.workload_identity.metrics_adapter_service_account
}

output "deployer_service_account" {
  description = "GCP_DEPLOYER_SA in the deploy workflow."
  value       = module.workload_identity.deployer_service_account
}

output "github_workload_identity_provider" {
  description = "GCP_WORKLOAD_IDENTITY_PROVIDER in the deploy workflow."
  value       = module.workload_identity.github_workload_identity_provider
}

output "private_services_cidr" {
  description = "ipBlock of the redis-egress and postgres-egress NetworkPolicies."
  value       = module.network.private_services_cidr
}

output "pubsub_topic" {
  value = module.pubsub.topic
}

output "pubsub_subscription" {
  description = "resource.labels.subscription_id in the worker's HorizontalPodAutoscaler."
  value       = module.pubsub.subscription
}

output "pubsub_dead_letter_topic" {
  value = module.pubsub.dead_letter_topic
}

output "ingress_ip" {
  description = "Point the DNS records of var.domains here."
  value       = module.edge.ingress_ip
}

output "ingress_ip_name" {
  description = "kubernetes.io/ingress.global-static-ip-name on the Ingress."
  value       = module.edge.ingress_ip_name
}

output "certificate_name" {
  description = "ingress.gcp.kubernetes.io/pre-shared-cert on the Ingress."
  value       = module.edge.certificate_name
}

output "ops_ingress_ip" {
  description = "Point the DNS record of var.ops_domain here."
  value       = module.edge.ops_ingress_ip
}

output "ops_ingress_ip_name" {
  description = "kubernetes.io/ingress.global-static-ip-name on the Ingress frequency-ops."
  value       = module.edge.ops_ingress_ip_name
}

output "ops_certificate_name" {
  description = "ingress.gcp.kubernetes.io/pre-shared-cert on the Ingress frequency-ops."
  value       = module.edge.ops_certificate_name
}

output "redis_mode" {
  value = var.redis_mode
}

output "redis_psc_cidr" {
  description = "redis_mode = \"cluster\": ipBlock of the redis-egress NetworkPolicy (components/redis-cluster); null otherwise."
  value       = one(module.redis_cluster[*].psc_cidr)
}

output "secret_ids" {
  description = "Secret Manager ids that infra/scripts/sync-secrets.sh copies into the namespace."
  # REDIS_URL or REDIS_CLUSTER_NODES, whichever Redis this environment has: the
  # module of the other mode has no instance, so its entry is absent.
  value = merge(
    module.secrets.secret_ids,
    { DATABASE_URL = module.cloudsql.database_url_secret },
    { for redis in module.redis : "REDIS_URL" => redis.redis_url_secret },
    { for cluster in module.redis_cluster : "REDIS_CLUSTER_NODES" => cluster.nodes_secret },
  )
}
