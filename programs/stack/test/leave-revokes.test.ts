import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import {
  describe,
  expect,
  freePort,
  spawnService,
  test,
  type ServiceProcess,
} from '@frequency/testing';
import { generateSecrets } from '../src/keys.js';

/**
 * The waiting room and checkout as the real processes they run as, over HTTP, on the test's Redis
 * prefix: leaving the queue must take the admission away from checkout too, so active checkouts
 * never exceed maxActiveCheckouts whatever order leave and order arrive in.
 */
const entry = (app: string) =>
  fileURLToPath(new URL(`../../../apps/${app}/src/server.ts`, import.meta.url));

async function ready(port: number, service: ServiceProcess): Promise<void> {
  await expect
    .poll(
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`)
          .then((r) => r.status)
          .catch(() => 0),
      { timeout: 90_000, interval: 200, message: service.output() },
    )
    .toBe(200);
}

interface QueueStatus {
  state: string;
  admission: { token: string; expiresAt: string } | null;
}

describe('leaving the queue revokes the admission (waiting room + checkout, real HTTP)', () => {
  test('with maxActiveCheckouts 2: fans who left cannot order, at most 2 orders pass; leaving after ordering keeps the order', async ({
    redis,
    pubsub,
  }) => {
    const { RECEIPT_SECRET, ...secrets } = await generateSecrets();
    const wrPort = await freePort();
    const coPort = await freePort();
    const shared = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const waitingRoom = spawnService(entry('waiting-room'), {
      ...shared,
      ...secrets,
      PORT: String(wrPort),
      ADMISSION_TICK_MS: '50',
      EVENT_REFRESH_MS: '50',
      SEEN_FLUSH_MS: '100',
      JOIN_RATE_LIMIT_MAX: '0',
      // Event definitions go to the ledger through Pub/Sub.
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
    });
    // Checkout reads the waiting room's JWKS as it starts (and then not again for a cool-down), so
    // it starts once the waiting room answers, as in the stack.
    await ready(wrPort, waitingRoom).catch((err: unknown) => {
      waitingRoom.kill('SIGTERM');
      throw err;
    });
    const checkout = spawnService(entry('checkout'), {
      ...shared,
      PORT: String(coPort),
      RECEIPT_SECRET,
      WAITING_ROOM_URL: `http://127.0.0.1:${wrPort}`,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
      PUBSUB_SUBSCRIPTION: pubsub.names.subscription,
      PUBSUB_DEAD_LETTER_TOPIC: pubsub.names.deadLetterTopic,
    });
    try {
      await ready(coPort, checkout);
      const wr = `http://127.0.0.1:${wrPort}`;
      const co = `http://127.0.0.1:${coPort}`;
      const eventId = `leave-${randomBytes(4).toString('hex')}`;
      const created = await fetch(`${wr}/v1/admin/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secrets.OPS_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          id: eventId,
          name: 'Leave Festival',
          venue: 'Somewhere',
          ticketsTotal: 100,
          maxPerOrder: 4,
          maxPerBuyer: 100,
          opensAt: new Date(Date.now() - 1_000).toISOString(),
          admissionRatePerSecond: 50,
          maxActiveCheckouts: 2,
        }),
      });
      expect(created.status, await created.text()).toBe(201);

      const fans: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const joined = await fetch(`${wr}/v1/events/${eventId}/queue`, { method: 'POST' });
        expect(joined.status).toBe(201);
        fans.push(((await joined.json()) as { queueToken: string }).queueToken);
      }
      const poll = async (queueToken: string): Promise<QueueStatus> => {
        const response = await fetch(`${wr}/v1/events/${eventId}/queue/me`, {
          headers: { authorization: `Bearer ${queueToken}` },
        });
        return (await response.json()) as QueueStatus;
      };
      const admissionsOf = async (tokens: string[]) => {
        const statuses = await Promise.all(tokens.map(poll));
        return statuses.map((s) => s.admission?.token);
      };
      const leave = (queueToken: string) =>
        fetch(`${wr}/v1/events/${eventId}/queue/me`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${queueToken}` },
        });
      const order = (admission: string, email: string) =>
        fetch(`${co}/v1/events/${eventId}/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admission}`, 'content-type': 'application/json' },
          body: JSON.stringify({ quantity: 1, buyer: { name: 'Fan', email } }),
        });

      // The first two are admitted; the cap holds the other two in line.
      const [a, b, c, d] = fans as [string, string, string, string];
      let firstTwo: (string | undefined)[] = [];
      await expect
        .poll(
          async () => {
            firstTwo = await admissionsOf([a, b]);
            return firstTwo.every(Boolean);
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBe(true);
      expect((await admissionsOf([c, d])).filter(Boolean)).toEqual([]);

      // Both admitted fans leave: their slots go to the next two.
      expect((await leave(a)).status).toBe(204);
      expect((await leave(b)).status).toBe(204);
      let nextTwo: (string | undefined)[] = [];
      await expect
        .poll(
          async () => {
            nextTwo = await admissionsOf([c, d]);
            return nextTwo.every(Boolean);
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBe(true);

      // All four admissions order at once: only the two live ones may pass.
      const tokens = [...firstTwo, ...nextTwo].map((t) => t ?? '');
      const answers = await Promise.all(
        tokens.map(async (token, i) => {
          const response = await order(token, `fan${i}@example.com`);
          return {
            status: response.status,
            body: (await response.json()) as Record<string, unknown>,
          };
        }),
      );
      expect(answers.slice(0, 2)).toEqual([
        { status: 403, body: { error: expect.objectContaining({ code: 'ADMISSION_REVOKED' }) } },
        { status: 403, body: { error: expect.objectContaining({ code: 'ADMISSION_REVOKED' }) } },
      ]);
      expect(answers.slice(2).map((x) => x.status)).toEqual([202, 202]);
      expect(answers.filter((x) => x.status === 202).length).toBeLessThanOrEqual(2);

      // Leaving after ordering: the order stands, the same admission gets it back, it stays readable.
      const placed = answers[2]?.body.orderId;
      expect((await leave(c)).status).toBe(204);
      const again = await order(tokens[2] ?? '', 'fan2@example.com');
      expect(again.status).toBe(202);
      expect(((await again.json()) as { orderId: string }).orderId).toBe(placed);
      const read = await fetch(`${co}/v1/orders/${String(placed)}`, {
        headers: { authorization: `Bearer ${tokens[2] ?? ''}` },
      });
      expect(read.status).toBe(200);

      const availability = await fetch(`${co}/v1/events/${eventId}/availability`);
      expect(await availability.json()).toEqual({ ticketsRemaining: 98, soldOut: false });
    } finally {
      waitingRoom.kill('SIGTERM');
      checkout.kill('SIGTERM');
      await Promise.all([waitingRoom.exited, checkout.exited]);
    }
  }, 180_000);
});
