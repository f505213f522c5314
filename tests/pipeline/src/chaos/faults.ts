import { performance } from 'node:perf_hooks';
import type { PrivatePostgres, PrivatePubSub, PrivateRedis } from '../infra.js';
import { sleep } from '../infra.js';
import type { ServiceProcess } from '../services.js';
import type { FaultName } from './settings.js';

/** What a fault may break: the run's own servers and service processes. */
export interface Targets {
  redis: PrivateRedis;
  pubsub: PrivatePubSub;
  postgres: PrivatePostgres;
  checkout: ServiceProcess;
  workers: readonly [ServiceProcess, ServiceProcess];
}

export interface Fault {
  name: FaultName;
  /** What it does, for the docs and the run's notes. */
  what: string;
  /** Injects the fault and brings the broken part back; resolves with what happened when. */
  inject(targets: Targets): Promise<string>;
}

/** "A few seconds apart": each kill lands while the other worker and the restarted one run. */
const WORKER_KILL_GAP_MS = 3_000;

const since = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

export const FAULT_LIST: readonly Fault[] = [
  {
    name: 'none',
    what: 'no fault: the healthy baseline',
    inject: () => Promise.resolve('no fault'),
  },
  {
    name: 'worker',
    what: 'a worker SIGKILLed three times, 3 s apart (the two alternately), restarted at once each time',
    async inject({ workers }) {
      const start = performance.now();
      const steps: string[] = [];
      for (let kill = 0; kill < 3; kill++) {
        if (kill > 0) await sleep(WORKER_KILL_GAP_MS);
        const worker = workers[kill % 2];
        if (worker === undefined) continue;
        await worker.kill();
        worker.start();
        steps.push(`${worker.name} killed at +${since(start)}`);
      }
      await Promise.all(workers.map((worker) => worker.ready()));
      return `${steps.join(', ')}; both ready again at +${since(start)}`;
    },
  },
  {
    name: 'checkout',
    what: 'checkout SIGKILLed mid-request and started again',
    async inject({ checkout }) {
      const start = performance.now();
      await checkout.kill();
      checkout.start();
      await checkout.ready();
      return `checkout killed, ready again after ${since(start)}`;
    },
  },
  {
    name: 'pubsub',
    what: 'the Pub/Sub emulator SIGKILLed and started again on its port, empty: no topics, no messages',
    async inject({ pubsub }) {
      const start = performance.now();
      await pubsub.crash();
      return `emulator killed, answering again (empty) after ${since(start)}`;
    },
  },
  {
    name: 'postgres',
    what: 'Postgres stopped with pg_ctl -m immediate (no checkpoint), down 2 s, started on the same data',
    async inject({ postgres }) {
      const start = performance.now();
      await postgres.crash();
      return `Postgres stopped immediately, accepting logins again after ${since(start)}`;
    },
  },
  {
    name: 'redis',
    what: 'redis-server SIGKILLed and started again on its port without persistence: every key gone',
    async inject({ redis }) {
      const start = performance.now();
      await redis.crash();
      return `Redis killed, answering again (empty) after ${since(start)}`;
    },
  },
];

export function faultNamed(name: FaultName): Fault {
  const fault = FAULT_LIST.find((candidate) => candidate.name === name);
  if (fault === undefined) throw new Error(`no fault ${name}`);
  return fault;
}
