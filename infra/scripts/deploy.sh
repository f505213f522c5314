#!/usr/bin/env bash
# Deploys one overlay in the order the release needs (docs/deploy.md, "Ordering"):
#   1. platform objects (namespace, config, network policies, ingress)
#   2. secrets from Secret Manager
#   3. the migration Job, and wait until it has completed
#   4. everything else: the Deployments roll only after the schema is migrated
#
#   infra/scripts/deploy.sh <overlay dir> <gcp-project> <image tag>
set -euo pipefail

overlay="${1:?usage: deploy.sh OVERLAY PROJECT TAG}"
project="${2:?usage: deploy.sh OVERLAY PROJECT TAG}"
tag="${3:?usage: deploy.sh OVERLAY PROJECT TAG}"
namespace=frequency
here="$(cd "$(dirname "$0")" && pwd)"
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT

# The release tag names the images and the migration Job (components/release).
printf 'IMAGE_TAG=%s\n' "$tag" >"$overlay/release.env"
kubectl kustomize "$overlay" >"$rendered"

kubectl apply --server-side --filename "$rendered" --selector app.kubernetes.io/component=platform
"$here/sync-secrets.sh" "$project" "$namespace"

job="migrate-$tag"
# A failed Job of this same release is immutable: remove it so a re-run can retry.
failed="$(kubectl get job "$job" --namespace "$namespace" --ignore-not-found \
  --output 'jsonpath={.status.conditions[?(@.type=="Failed")].status}')"
if [ "$failed" = "True" ]; then
  kubectl delete job "$job" --namespace "$namespace" --wait=true
fi
kubectl apply --server-side --filename "$rendered" --selector app.kubernetes.io/component=migration
kubectl wait "job/$job" --namespace "$namespace" --for=condition=complete --timeout=600s

kubectl apply --server-side --filename "$rendered"
for deployment in waiting-room checkout worker web; do
  kubectl rollout status "deployment/$deployment" --namespace "$namespace" --timeout=900s
done
