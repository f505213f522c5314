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
  [REDIS_URL]=redis-url
  [DATABASE_URL]=database-url
)

for name in "${!secret_id[@]}"; do
  gcloud secrets versions access latest \
    --project "$project" --secret "${secret_id[$name]}" >"$workdir/$name"
done

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
    # Only optional keys can be missing here: a required one failed its fetch above.
    [[ -f "$workdir/$key" ]] || continue
    args+=("--from-file=$key=$workdir/$key")
  done
  kubectl create secret generic "$secret" --namespace "$namespace" "${args[@]}" \
    --dry-run=client --output yaml | kubectl apply --filename -
}

apply_secret waiting-room-env REDIS_URL OPS_TOKEN OPS_TOKENS QUEUE_TOKEN_SECRET ADMISSION_PRIVATE_JWKS
apply_secret checkout-env REDIS_URL RECEIPT_SECRET
apply_secret worker-env REDIS_URL DATABASE_URL
apply_secret migrate-env DATABASE_URL
