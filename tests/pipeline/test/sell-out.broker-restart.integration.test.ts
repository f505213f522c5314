import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { PostgresStore } from '@frequency/db';
import {
  afterAll,
  createTestAdmissionIssuer,
  describe,
  freePort,
  killProcessGroup,
  seedTestEvent,
  startPubSubEmulator,
  test,
  uniqueName,
} from '@frequency/testing';
import {
  expectSoldOutAndConsistent,
  sellOut,
  startCheckout,
  startWorkerInProcess,
  type Wiring,
} from '../src/harness.js';

// A file of its own, so its process holds nothing of another test's clients and sale.
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('selling out survives a broker restart', () => {
  test(
    'the Pub/Sub emulator restarted mid-run (forgetting topics and messages): every order still ends confirmed',
    { timeout: 300_000 },
    async ({ redis, database }) => {
      // Its own emulator: the shared one is never stopped.
      const port = await freePort();
      let emulator = await startPubSubEmulator('127.0.0.1', port);
      cleanups.push(() => emulator.stop());
      const base = uniqueName('restart');
      const wiring: Wiring = {
        redisUrl: redis.url,
        keyPrefix: redis.keyPrefix,
        databaseUrl: database.url,
        emulatorHost: emulator.hostPort,
        projectId: 'frequency-test',
        names: {
          topic: `${base}-intents`,
          subscription: `${base}-worker`,
          deadLetterTopic: `${base}-dl`,
        },
      };
      const admin = createPubSub({
        projectId: wiring.projectId,
        emulatorHost: wiring.emulatorHost,
      });
      await ensureTopology(admin, wiring.names);
      await admin.close();

      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const app = await startCheckout(wiring, issuer, { OUTBOX_REPUBLISH_AFTER_MS: '2000' });
      cleanups.push(() => app.close());
      await seedTestEvent(redis.client, {
        eventId: 'restart',
        ticketsTotal: 2_000,
        maxPerOrder: 4,
      });
      const store = PostgresStore.open(database.url, 2);
      cleanups.push(() => store.close());

      let restarted: Promise<void> | undefined;
      const result = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'restart',
        buyers: 1_200,
        onProgress: (answered) => {
          if (answered === 300) {
            restarted = (async () => {
              // Killed, as a dying machine kills it (and as `pnpm chaos` does), not shut down.
              await killProcessGroup(emulator.child);
              emulator = await startPubSubEmulator('127.0.0.1', port);
            })();
          }
        },
      });
      await restarted;
      await expectSoldOutAndConsistent({
        app,
        redis: redis.client,
        store,
        eventId: 'restart',
        ticketsTotal: 2_000,
        result,
        // Orders the broker forgot come back through the outbox relay once the services have
        // re-created topic and subscription; a loaded machine can take a while for all of it.
        timeoutMs: 180_000,
      });
    },
  );
});
