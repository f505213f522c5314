#!/usr/bin/env bash
# Every test of every package against real Redis, Postgres, the Pub/Sub emulator and Chromium: `npm test`.
source "$(dirname "$0")/bootstrap.sh"
rm -rf ./*/*/test-results ./*/test-results
status=0
# Two packages at a time: integration tests mostly wait on services, and 2 cores are shared.
pnpm turbo run test --continue --concurrency=2 --output-logs=full -- \
  --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
node scripts/test-summary.mjs || status=$?
exit "$status"
