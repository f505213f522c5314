# Sourced by start.sh and test.sh: from a machine with only Node 20 and npm to an installed workspace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 METADATA_SERVER_DETECTION=none HUSKY=0
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit --loglevel=error
fi
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3
