import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createE2eDatabase, createE2ePubSub, createE2eRedis } from './resources';
import {
  binary,
  freePort,
  generateAdmissionJwks,
  repoRoot,
  startProcess,
  waitForHttp,
  webRoot,
  type Started,
} from './stack';

export interface StackInfo {
  webUrl: string;
  waitingRoomUrl: string;
  checkoutUrl: string;
  workerUrl: string;
  opsToken: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/**
 * Starts the real stack for the browser tests: waiting room, checkout and worker from their sources
 * (tsx, `source` condition), each on a free port with its own Redis key prefix, a fresh Postgres
 * database and unique Pub/Sub topics, plus `next start` of the web app that turbo built before the
 * test task. Builds nothing itself. Everything started here is stopped by its own process group, and
 * everything created is removed.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(webRoot, '.next', 'BUILD_ID'))) {
    throw new Error('apps/web is not built: run `pnpm turbo run test --filter @frequency/web` (builds first) or `pnpm --filter @frequency/web build`');
  }
  const cleanups: (() => Promise<void>)[] = [];
  const started: Started[] = [];
  const teardown = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const redis = createE2eRedis();
    const [database, pubsub] = await Promise.all([createE2eDatabase(), createE2ePubSub()]);
    cleanups.push(() => redis.cleanup(), () => database.drop(), () => pubsub.cleanup());
    const [wrPort, coPort, wkPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const opsToken = `ops-${randomBytes(16).toString('hex')}`;
    const urls = {
      waitingRoom: `http://127.0.0.1:${wrPort}`,
      checkout: `http://127.0.0.1:${coPort}`,
      worker: `http://127.0.0.1:${wkPort}`,
      web: `http://127.0.0.1:${webPort}`,
    };
    const common: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
      PUBSUB_SUBSCRIPTION: pubsub.names.subscription,
      PUBSUB_DEAD_LETTER_TOPIC: pubsub.names.deadLetterTopic,
      METADATA_SERVER_DETECTION: 'none',
      WAITING_ROOM_URL: urls.waitingRoom,
      // The browser calls the APIs from the web origin (see packages/observability/src/cors.ts).
      CORS_ORIGINS: urls.web,
    };
    const tsx = binary('tsx');
    const services: [Started, string][] = [
      [
        startProcess('waiting-room', tsx, ['--conditions=source', 'apps/waiting-room/src/server.ts'], {
          cwd: repoRoot,
          env: {
            ...common,
            PORT: String(wrPort),
            OPS_TOKEN: opsToken,
            QUEUE_TOKEN_SECRET: randomBytes(32).toString('hex'),
            ADMISSION_PRIVATE_JWKS: await generateAdmissionJwks(),
            // Short ticks and refreshes keep the tests quick; the defaults are for production.
            ADMISSION_TICK_MS: '50',
            EVENT_REFRESH_MS: '50',
            SEEN_FLUSH_MS: '200',
            CHECKOUT_WINDOW_SECONDS: '120',
            JOIN_RATE_LIMIT_MAX: '0',
            // Every ops call of the browser tests reaches the waiting room from web's one address,
            // and the tests try wrong tokens on purpose; the limit itself is tested in the waiting room.
            OPS_LOGIN_FAILURES_PER_MINUTE: '100',
          },
        }),
        `${urls.waitingRoom}/readyz`,
      ],
      [
        startProcess('checkout', tsx, ['--conditions=source', 'apps/checkout/src/server.ts'], {
          cwd: repoRoot,
          env: {
            ...common,
            PORT: String(coPort),
            AVAILABILITY_CACHE_MS: '50',
            OUTBOX_RELAY_INTERVAL_MS: '500',
            RECEIPT_SECRET: randomBytes(32).toString('hex'),
          },
        }),
        `${urls.checkout}/readyz`,
      ],
      [
        startProcess('worker', tsx, ['--conditions=source', 'apps/worker/src/server.ts'], {
          cwd: repoRoot,
          env: {
            ...common,
            PORT: String(wkPort),
            DATABASE_URL: database.url,
            WORKER_BATCH_WAIT_MS: '20',
            RECONCILE_INTERVAL_MS: '500',
          },
        }),
        `${urls.worker}/readyz`,
      ],
      [
        startProcess('web', binary('next'), ['start', '-p', String(webPort), '-H', '127.0.0.1'], {
          cwd: webRoot,
          env: {
            ...common,
            PORT: String(webPort),
            NEXT_TELEMETRY_DISABLED: '1',
            CHECKOUT_URL: urls.checkout,
            WORKER_URL: urls.worker,
          },
        }),
        `${urls.web}/healthz`,
      ],
    ];
    started.push(...services.map(([service]) => service));
    await Promise.all(services.map(([service, url]) => waitForHttp(url, service, 90_000)));

    // The contract's seeded event, as the local stack seeds it: opening later, so `/` shows the countdown.
    const seeded = await fetch(`${urls.waitingRoom}/v1/admin/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'frequency-20xx',
        name: 'Frequency Festival 20XX',
        venue: 'St. Pölten, Austria',
        ticketsTotal: 1_000_000,
        maxPerOrder: 4,
        opensAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
        admissionRatePerSecond: 500,
        maxActiveCheckouts: 20_000,
      }),
    });
    if (seeded.status !== 201) throw new Error(`seeding frequency-20xx: HTTP ${seeded.status} ${await seeded.text()}`);

    project.provide('stack', {
      webUrl: urls.web,
      waitingRoomUrl: urls.waitingRoom,
      checkoutUrl: urls.checkout,
      workerUrl: urls.worker,
      opsToken,
    });
    return teardown;
  } catch (err) {
    await teardown();
    throw err;
  }
}
