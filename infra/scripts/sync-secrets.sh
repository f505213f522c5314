#!/usr/bin/env bash
# Copies the apps' secrets from Secret Manager into Kubernetes Secrets, one Secret
# per process holding only the keys that process reads (docs/conventions.md).
# Pods read them as environment variables; after a rotation, restart the
# Deployments (docs/deploy.md) so they pick up the new values.
#
#   infra/scripts/sync-secrets.sh <gcp-project> [namespace]
set -euo pipefail

project="${1:?usage: sync-secrets.sh PROJECT [NAMESPACE]}"
namespace="${2:-frequency}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# Environment variable -> Secret Manager secret id (terraform output secret_ids).
declare -A secret_id=(
  [ADMISSION_PRIVATE_JWKS]=admission-private-jwks
  [QUEUE_TOKEN_SECRET]=queue-token-secret
  [OPS_TOKEN]=ops-token
  [RECEIPT_SECRET]=receipt-secret
  [DATABASE_URL]=database-url
)

# Where Redis is: exactly one of these exists, by the environment's redis_mode
# (infra/terraform/envs/<env>/main.tf): REDIS_URL for an instance,
# REDIS_CLUSTER_NODES for a cluster.
declare -A redis_secret_id=(
  [REDIS_URL]=redis-url
  [REDIS_CLUSTER_NODES]=redis-cluster-nodes
)

for name in "${!secret_id[@]}"; do
  gcloud secrets versions access latest \
    --project "$project" --secret "${secret_id[$name]}" >"$workdir/$name"
done

redis_found=0
for name in "${!redis_secret_id[@]}"; do
  if gcloud secrets versions access latest \
    --project "$project" --secret "${redis_secret_id[$name]}" >"$workdir/$name" 2>/dev/null; then
    redis_found=$((redis_found + 1))
  else
    rm -f "$workdir/$name"
  fi
done
if [[ "$redis_found" -ne 1 ]]; then
  echo "sync-secrets.sh: expected exactly one of ${!redis_secret_id[*]} in $project, found $redis_found" >&2
  exit 1
fi

# Optional: named ops tokens (docs/deploy.md, "The ops door"). Without a version
# the waiting room runs on OPS_TOKEN alone, so a missing one is not an error.
if ! gcloud secrets versions access latest \
  --project "$project" --secret ops-tokens >"$workdir/OPS_TOKENS" 2>/dev/null; then
  rm -f "$workdir/OPS_TOKENS"
fi

# apply_secret NAME KEY...: create or update Secret NAME from the fetched KEYs.
apply_secret() {
  local secret="$1"
  shift
  local args=()
  for key in "$@"; do
    # Only optional keys and the Redis key of the other mode can be missing here:
    # a required one failed its fetch above.
    [[ -f "$workdir/$key" ]] || continue
    args+=("--from-file=$key=$workdir/$key")
  done
  kubectl create secret generic "$secret" --namespace "$namespace" "${args[@]}" \
    --dry-run=client --output yaml | kubectl apply --filename -
}

apply_secret waiting-room-env REDIS_URL REDIS_CLUSTER_NODES OPS_TOKEN OPS_TOKENS QUEUE_TOKEN_SECRET ADMISSION_PRIVATE_JWKS
apply_secret checkout-env REDIS_URL REDIS_CLUSTER_NODES RECEIPT_SECRET
apply_secret worker-env REDIS_URL REDIS_CLUSTER_NODES DATABASE_URL
apply_secret migrate-env DATABASE_URL
