# syntax=docker/dockerfile:1.7
# Image of @frequency/web. Build from the repository root:
#   docker build -f infra/docker/web.Dockerfile -t web .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
# Kept equal to "packageManager" in the root package.json (a test checks it).
ARG PNPM_VERSION=10.34.9
ENV PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH \
    CI=true \
    HUSKY=0 \
    TURBO_TELEMETRY_DISABLED=1 \
    NEXT_TELEMETRY_DISABLED=1
RUN npm install --global pnpm@${PNPM_VERSION}
WORKDIR /repo

# Cut the workspace down to this app and the workspace packages it depends on.
# The --docker layout splits package.json files from sources, so the install
# layer below is reused until a manifest or the lockfile changes.
FROM base AS pruner
# Kept equal to the turbo version in pnpm-lock.yaml (a test checks it).
ARG TURBO_VERSION=2.11.11
RUN npm install --global turbo@${TURBO_VERSION}
COPY . .
RUN turbo prune @frequency/web --docker

FROM base AS builder
COPY --from=pruner /repo/out/json/ ./
COPY --from=pruner /repo/out/pnpm-lock.yaml ./pnpm-lock.yaml
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile
COPY --from=pruner /repo/out/full/ ./
RUN pnpm exec turbo run build --filter=@frequency/web
# Swap the full install for production dependencies only; the built dist/
# folders stay. Same store mount, so nothing is downloaded twice.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    rm -rf node_modules apps/*/node_modules packages/*/node_modules tooling/*/node_modules .turbo \
 && pnpm install --frozen-lockfile --prod --prefer-offline

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to node (which drains and exits) and
# reaps zombies, so node never runs as PID 1 without default signal handlers.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
# Files stay owned by root: the process can read its code but not change it.
COPY --from=builder /repo/ /app/
WORKDIR /app/apps/web
# next start writes its image and fetch cache here; the only writable path.
RUN mkdir -p .next/cache && chown 1000:1000 .next/cache
# uid 1000 is the "node" user of the official image; numeric so that
# Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# next's own binary started by node directly: no npm/pnpm wrapper between
# tini and the server, so SIGTERM reaches it. next start reads PORT.
CMD ["node", "node_modules/next/dist/bin/next", "start", "--hostname", "0.0.0.0"]
