import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv, ConfigError } from '@frequency/config';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import type { CreateEventBody } from '@frequency/contracts';
import { applySpannerSchema, ensureDatabase, runMigrations } from '@frequency/db';
import { portAnswers, startSpannerEmulator } from '@frequency/db/spanner-emulator';
import { appEnvironments, repoRoot as root, stackEnvSchema } from './environment.js';
import { generateSecrets } from './keys.js';
import { prefixLines } from './logs.js';
import { STACK_READY_LINE } from './ready.js';
import {
  ensureMailSink,
  ensurePostgres,
  ensurePubSubEmulator,
  ensureRedis,
  MissingBinaryError,
  type Started,
} from './services.js';

const say = (line: string) => process.stdout.write(`\u001b[34mstack       \u001b[0m│ ${line}\n`);

async function main(): Promise<number> {
  const env = parseEnv(stackEnvSchema);
  const started: Started[] = [];
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;

  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping what this command started…');
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const service of started.reverse()) {
      await service.stop();
      say(`stopped ${service.name}`);
    }
  };

  try {
    const redis = await ensureRedis(env.REDIS_URL, join(env.STACK_DIR, 'redis'));
    if (redis) started.push(redis);
    say(redis ? `started Redis at ${env.REDIS_URL}` : `using the Redis at ${env.REDIS_URL}`);
    const postgres = await ensurePostgres(env.DATABASE_URL, join(env.STACK_DIR, 'postgres'));
    if (postgres) started.push(postgres);
    say(postgres ? 'started Postgres' : `using the Postgres at ${new URL(env.DATABASE_URL).host}`);
    const emulator = await ensurePubSubEmulator(env.PUBSUB_EMULATOR_HOST);
    if (emulator) started.push(emulator);
    say(`${emulator ? 'started' : 'using'} the Pub/Sub emulator at ${env.PUBSUB_EMULATOR_HOST}`);

    const pubsub = createPubSub({
      projectId: env.PUBSUB_PROJECT_ID,
      emulatorHost: env.PUBSUB_EMULATOR_HOST,
    });
    await ensureTopology(pubsub, {
      topic: env.PUBSUB_TOPIC,
      subscription: env.PUBSUB_SUBSCRIPTION,
      deadLetterTopic: env.PUBSUB_DEAD_LETTER_TOPIC,
    });
    // Event definitions go from the waiting room to the ledger (the worker); the subscription is
    // made here too, so the seeded event's first definition is kept even if the worker starts late.
    await ensureTopology(pubsub, {
      topic: env.PUBSUB_EVENTS_TOPIC,
      subscription: env.PUBSUB_EVENTS_SUBSCRIPTION,
    });
    await pubsub.close();
    say(
      `topics ${env.PUBSUB_TOPIC}, ${env.PUBSUB_DEAD_LETTER_TOPIC} and subscription ${env.PUBSUB_SUBSCRIPTION} ready`,
    );
    say(
      `topic ${env.PUBSUB_EVENTS_TOPIC} and subscription ${env.PUBSUB_EVENTS_SUBSCRIPTION} ready`,
    );

    const sink = await ensureMailSink(env.MAIL_SMTP_PORT, env.MAIL_INBOX_PORT);
    if (sink) started.push(sink);
    const smtpUrl = `smtp://127.0.0.1:${env.MAIL_SMTP_PORT}`;
    say(`${sink ? 'started' : 'using'} the mail sink at ${smtpUrl}`);

    await ensureDatabase(env.DATABASE_URL);
    await runMigrations(env.DATABASE_URL);
    say('database migrated');

    let storeEnv: Record<string, string> = { STORE: 'postgres' };
    if (env.STORE === 'spanner') {
      const index = env.SPANNER_EMULATOR_HOST.lastIndexOf(':');
      const host = env.SPANNER_EMULATOR_HOST.slice(0, index);
      const grpcPort = Number(env.SPANNER_EMULATOR_HOST.slice(index + 1));
      if (!(await portAnswers(host, grpcPort))) {
        const spanner = await startSpannerEmulator({ host, grpcPort });
        started.push({ name: 'spanner-emulator', stop: () => spanner.stop() });
        say(`started the Spanner emulator at ${env.SPANNER_EMULATOR_HOST}`);
      } else say(`using the Spanner emulator at ${env.SPANNER_EMULATOR_HOST}`);
      const location = {
        projectId: env.SPANNER_PROJECT_ID,
        instance: env.SPANNER_INSTANCE,
        database: env.SPANNER_DATABASE,
        emulatorHost: env.SPANNER_EMULATOR_HOST,
      };
      const applied = await applySpannerSchema(location);
      say(
        `Spanner schema ready (${applied.applied.length} DDL statements applied); the worker persists to Spanner`,
      );
      storeEnv = {
        STORE: 'spanner',
        SPANNER_EMULATOR_HOST: env.SPANNER_EMULATOR_HOST,
        SPANNER_PROJECT_ID: env.SPANNER_PROJECT_ID,
        SPANNER_INSTANCE: env.SPANNER_INSTANCE,
        SPANNER_DATABASE: env.SPANNER_DATABASE,
      };
    }

    // Each process gets only its own secrets: the receipt key is checkout's alone.
    const { RECEIPT_SECRET, ...secrets } = await generateSecrets();
    const opsToken = env.OPS_TOKEN ?? secrets.OPS_TOKEN;
    const environments = appEnvironments(process.env, {
      env,
      secrets: { ...secrets, OPS_TOKEN: opsToken },
      receiptSecret: RECEIPT_SECRET,
      storeEnv,
      smtpUrl,
    });
    const apps = [
      { name: 'waiting-room', port: env.WAITING_ROOM_PORT },
      { name: 'checkout', port: env.CHECKOUT_PORT },
      { name: 'worker', port: env.WORKER_PORT },
    ] as const;
    for (const app of apps) {
      const entry = join(root, 'apps', app.name, 'dist', 'server.js');
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
      const child = spawn(process.execPath, [entry], {
        cwd: join(root, 'apps', app.name),
        env: environments[app.name],
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      prefixLines(app.name, child.stdout, (l) => process.stdout.write(`${l}\n`));
      prefixLines(app.name, child.stderr, (l) => process.stdout.write(`${l}\n`));
      children.push({ name: app.name, child });
    }
    const web = join(root, 'apps', 'web');
    const webReady = existsSync(join(web, '.next', 'BUILD_ID'));
    if (webReady) {
      const nextBin = join(web, 'node_modules', 'next', 'dist', 'bin', 'next');
      const child = spawn(
        process.execPath,
        [nextBin, 'start', '-p', String(env.WEB_PORT), '-H', environments.web.HOST ?? '127.0.0.1'],
        {
          cwd: web,
          env: environments.web,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      prefixLines('web', child.stdout, (l) => process.stdout.write(`${l}\n`));
      prefixLines('web', child.stderr, (l) => process.stdout.write(`${l}\n`));
      children.push({ name: 'web', child });
    }
    for (const { name, child } of children) {
      child.once('exit', (code, signal) => {
        if (!stopping) {
          say(`${name} exited (${signal ?? code ?? '?'}); stopping the stack`);
          void stopAll().then(() => process.exit(1));
        }
      });
    }

    const readiness = [
      ...apps.map((a) => ({ name: a.name, url: `http://127.0.0.1:${a.port}/readyz` })),
      ...(webReady ? [{ name: 'web', url: `http://127.0.0.1:${env.WEB_PORT}/` }] : []),
    ];
    await Promise.all(readiness.map((r) => waitReady(r.name, r.url, 60_000)));
    say('every service answers /readyz 200');

    const opensAt = new Date(Date.now() + env.OPENS_IN_SECONDS * 1000);
    const event: CreateEventBody = {
      id: 'frequency-20xx',
      name: 'Frequency Festival 20XX',
      venue: 'St. Pölten, Austria',
      ticketsTotal: env.TICKETS_TOTAL,
      maxPerOrder: 4,
      opensAt: opensAt.toISOString(),
      admissionRatePerSecond: env.ADMISSION_RATE_PER_SECOND,
      maxActiveCheckouts: env.MAX_ACTIVE_CHECKOUTS,
    };
    const seeded = await fetch(`http://127.0.0.1:${env.WAITING_ROOM_PORT}/v1/admin/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    if (seeded.status === 201)
      say(
        `seeded ${event.name}: ${event.ticketsTotal.toLocaleString('en')} tickets, opens ${event.opensAt}`,
      );
    else if (seeded.status === 409)
      say(
        `${event.id} already exists in this Redis: keeping its state (the ledger keeps every event: a fresh sale needs a fresh REDIS_KEY_PREFIX and DATABASE_URL)`,
      );
    else throw new Error(`seeding the event failed: ${seeded.status} ${await seeded.text()}`);
    // The waiting room sends the event's definition to the ledger itself (on creation and
    // periodically): no process here writes the database.

    say('');
    say(
      `fans:         http://127.0.0.1:${env.WEB_PORT}/${webReady ? '' : '  (apps/web not built)'}`,
    );
    say(`ops console:  http://127.0.0.1:${env.WEB_PORT}/ops   OPS_TOKEN=${opsToken}`);
    say(
      `waiting room: http://127.0.0.1:${env.WAITING_ROOM_PORT}/docs   checkout: http://127.0.0.1:${env.CHECKOUT_PORT}/docs`,
    );
    say(`worker:       http://127.0.0.1:${env.WORKER_PORT}/metrics`);
    say(
      `mail:         http://127.0.0.1:${env.MAIL_INBOX_PORT}  (every confirmation e-mail lands here)`,
    );
    say(STACK_READY_LINE);

    if (env.STACK_SMOKE === '1') {
      await stopAll();
      return 0;
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stopAll();
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof MissingBinaryError) say(err.message);
    else say(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    return 1;
  }
}

async function waitReady(name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} not ready after ${timeoutMs} ms: ${last}`);
}

process.exitCode = await main();
