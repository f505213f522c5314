import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, freePort, spawnService, test } from '@frequency/testing';
import { appEnvironments, stackEnvSchema, type Environment } from '../src/environment.js';
import { generateSecrets } from '../src/keys.js';

const waitingRoomEntry = fileURLToPath(
  new URL('../../../apps/waiting-room/src/server.ts', import.meta.url),
);

/** The environments `npm start` gives its apps when the caller's environment is `caller`. */
async function environmentsFor(caller: Environment) {
  const { RECEIPT_SECRET, ...secrets } = await generateSecrets();
  return appEnvironments(caller, {
    env: stackEnvSchema.parse(caller),
    secrets,
    receiptSecret: RECEIPT_SECRET,
    storeEnv: { STORE: 'postgres' },
    smtpUrl: 'smtp://127.0.0.1:2525',
  });
}

const defined = (env: Environment): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

describe("the stack's app environments", () => {
  test("a variable the caller sets reaches every app over the stack's own value", async () => {
    const apps = await environmentsFor({
      CHECKOUT_WINDOW_SECONDS: '90',
      CORS_ORIGINS: 'https://tickets.example',
      LOG_LEVEL: 'debug',
    });
    expect(apps.checkout.CHECKOUT_WINDOW_SECONDS).toBe('90');
    expect(apps.checkout.CORS_ORIGINS).toBe('https://tickets.example');
    expect(apps['waiting-room'].CORS_ORIGINS).toBe('https://tickets.example');
    expect(apps.worker.LOG_LEVEL).toBe('debug');
  });

  test('the stack fills in what the caller left unset or empty; each app keeps its own port', async () => {
    const apps = await environmentsFor({
      CORS_ORIGINS: '',
      PORT: '9999',
      WAITING_ROOM_PORT: '4101',
    });
    expect(apps.checkout.CORS_ORIGINS).toBe('http://127.0.0.1:3000,http://localhost:3000');
    expect(apps.checkout.WAITING_ROOM_URL).toBe('http://127.0.0.1:4101');
    expect(apps['waiting-room'].PORT).toBe('4101');
    expect(apps.checkout.PORT).toBe('3002');
    expect(apps.checkout.RECEIPT_SECRET).toMatch(/.{32,}/);
    expect(apps['waiting-room'].RECEIPT_SECRET).toBeUndefined();
  });

  test('JOIN_RATE_LIMIT_MAX=3 from the caller: the waiting room answers the 4th join from one address with 429', async ({
    redis,
    pubsub,
  }) => {
    const port = await freePort();
    const apps = await environmentsFor({
      JOIN_RATE_LIMIT_MAX: '3',
      WAITING_ROOM_PORT: String(port),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      LOG_LEVEL: 'warn',
    });
    const env = defined(apps['waiting-room']);
    const waitingRoom = spawnService(waitingRoomEntry, env);
    try {
      const url = `http://127.0.0.1:${port}`;
      await expect
        .poll(
          () =>
            fetch(`${url}/readyz`)
              .then((r) => r.status)
              .catch(() => 0),
          { timeout: 90_000, interval: 200, message: waitingRoom.output() },
        )
        .toBe(200);
      const eventId = `stack-env-${randomBytes(4).toString('hex')}`;
      const created = await fetch(`${url}/v1/admin/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.OPS_TOKEN ?? ''}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          id: eventId,
          name: 'Stack Env Festival',
          venue: 'Somewhere',
          ticketsTotal: 100,
          maxPerOrder: 4,
          opensAt: new Date(Date.now() - 1_000).toISOString(),
          admissionRatePerSecond: 10,
          maxActiveCheckouts: 10,
        }),
      });
      expect(created.status, await created.text()).toBe(201);

      const answers: { status: number; code?: string }[] = [];
      for (let i = 0; i < 4; i += 1) {
        const joined = await fetch(`${url}/v1/events/${eventId}/queue`, { method: 'POST' });
        const body = (await joined.json()) as { error?: { code: string } };
        answers.push({ status: joined.status, ...(body.error ? { code: body.error.code } : {}) });
      }
      expect(answers).toEqual([
        { status: 201 },
        { status: 201 },
        { status: 201 },
        { status: 429, code: 'RATE_LIMITED' },
      ]);
    } finally {
      // SIGTERM: tsx passes it on to the server; a SIGKILL would end tsx and orphan the server.
      waitingRoom.kill('SIGTERM');
      await waitingRoom.exited;
    }
  }, 180_000);
});
