#!/usr/bin/env bash
# Every test of every package against real Redis, Postgres, the Pub/Sub emulator and Chromium: `npm test`.
source "$(dirname "$0")/bootstrap.sh"
rm -rf ./*/*/test-results ./*/test-results
status=0
# One Pub/Sub emulator for the whole run, so parallel packages never race to start (and stop) their own.
emulator_pid=""
emulator_host=${PUBSUB_EMULATOR_HOST:-127.0.0.1:8085}
if ! (exec 3<>"/dev/tcp/${emulator_host%:*}/${emulator_host##*:}") 2>/dev/null; then
  emulator_bin=${PUBSUB_EMULATOR_BIN:-/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator}
  setsid "$emulator_bin" --host="${emulator_host%:*}" --port="${emulator_host##*:}" >/dev/null 2>&1 &
  emulator_pid=$!
  trap 'kill -- -"$emulator_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/${emulator_host%:*}/${emulator_host##*:}") 2>/dev/null && break
    sleep 0.3
  done
  echo "started the Pub/Sub emulator at $emulator_host (pid $emulator_pid)"
fi
export PUBSUB_EMULATOR_HOST=$emulator_host
# Two packages at a time: integration tests mostly wait on services, and 2 cores are shared.
pnpm turbo run test --continue --concurrency=2 --output-logs=full -- \
  --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
pnpm exec tsx scripts/test-summary.ts || status=$?
exit "$status"
