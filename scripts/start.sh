#!/usr/bin/env bash
# The whole system on this machine with the seeded event: `npm start`.
source "$(dirname "$0")/bootstrap.sh"
pnpm turbo run build --output-logs=errors-only --filter='./apps/*'
exec pnpm --filter @frequency/stack start
