import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CreateEventBody } from '@frequency/contracts';
import { checkPlaces, STATEMENT_MARGIN_MS } from './fairness.js';
import { playFan, type AcceptedOrder, type FanRecord, type SaleContext } from './fans.js';
import type { Fault, Targets } from './faults.js';
import { sleep } from '../infra.js';
import type { ServiceProcess } from '../services.js';
import type { ChaosSettings, FaultName } from './settings.js';
import { judgeOrders, readBack, readLedger } from './verify.js';

/** Where one sale runs and what it may break. */
export interface SaleStack {
  runId: string;
  /** Where each sale's fan records go (fans-<fault>.json), to look into a failed check. */
  runDir: string;
  waitingRoom: ServiceProcess;
  targets: Targets;
  opsToken: string;
  redisKeyPrefix: string;
  databaseUrl: string;
  /** Current URL of the run's Redis (the same port across a crash). */
  redisUrl: () => string;
  /** The checkout window the waiting room runs with (ms): admission expiry = admission + it. */
  checkoutWindowMs: number;
  log(line: string): void;
}

/** One row of the table, with why it fails (empty when it passes) and what happened. */
export interface FaultRow {
  fault: FaultName;
  eventId: string;
  ticketsTotal: number;
  accepted: number;
  confirmed: number;
  rejected: number;
  persistedTickets: number;
  oversold: number;
  duplicateCodes: number;
  ordersLost: number;
  fansLostPlace: number;
  failures: string[];
  notes: string[];
}

const services = (targets: Targets): ServiceProcess[] => [targets.checkout, ...targets.workers];

/**
 * One event sold under concurrency with one fault injected mid-sale: the event is created closed to
 * admission, fans fill the line, the admission rate is raised (ops PATCH), the fault lands once
 * `faultAt` of the tickets are in 202s, and fans keep coming until a join answers SOLD_OUT. Then
 * every 202 is read back until final (or the drain deadline) and checked against the ledger.
 */
export async function runSale(
  stack: SaleStack,
  settings: ChaosSettings,
  fault: Fault,
  addressBase: number,
  signal: AbortSignal,
): Promise<{ row: FaultRow; fansStarted: number }> {
  const eventId = `chaos-${stack.runId}-${fault.name}`;
  const ticketsTotal = settings.ticketsPerFault;
  const failures: string[] = [];
  const notes: string[] = [];
  const watched = [stack.waitingRoom, ...services(stack.targets)];
  const exitsBefore = watched.map((service) => service.unexpectedExits.length);

  await createEvent(stack, eventId, ticketsTotal);
  const saleStart = performance.now();
  const sale: SaleContext = {
    eventId,
    waitingRoomUrl: stack.waitingRoom.url,
    checkoutUrl: stack.targets.checkout.url,
    addressBase,
    pollCapMs: settings.pollCapMs,
    restoreGraceMs: settings.restoreGraceMs,
    deadline: saleStart + settings.saleTimeoutMs,
    signal,
    soldOut: false,
    joined: 0,
    acceptedTickets: 0,
    inFlow: 0,
    closing: false,
    refusals: new Map(),
  };

  const fans: FanRecord[] = [];
  const running = new Set<Promise<void>>();
  let started = 0;
  const startFan = () => {
    const journey = playFan(started++, sale).then((record) => {
      fans.push(record);
    });
    running.add(journey);
    void journey.finally(() => running.delete(journey));
  };

  let opened = false;
  // Fans change `sale` from their own callbacks: read it through a function, not a narrowed local.
  const soldOut = () => sale.soldOut;
  const injected: { done: Promise<void> | null } = { done: null };
  const inject = (when: string) => {
    const at = since(saleStart);
    const share = Math.round((100 * sale.acceptedTickets) / ticketsTotal);
    stack.log(`${eventId}: injecting ${fault.name} ${when} (${at}, ${share}% in 202s)`);
    injected.done = fault.inject(stack.targets).then(
      (timeline) => {
        notes.push(
          fault.name === 'none'
            ? `no fault; the mark (${share}% of the tickets in 202s) was reached at ${at}`
            : `fault at ${at}, ${share}% of the tickets in 202s: ${timeline}`,
        );
      },
      (err: unknown) => {
        failures.push(`the fault could not be injected or undone: ${message(err)}`);
      },
    );
  };
  const warmUpFans = Math.max(1, Math.min(settings.fans, 100) / 2);
  while (!soldOut() && performance.now() < sale.deadline && !signal.aborted) {
    while (running.size < settings.fans && !soldOut()) startFan();
    if (!opened && (sale.joined >= warmUpFans || performance.now() - saleStart > 2_000)) {
      opened = true;
      await patchEvent(stack, eventId, {
        admissionRatePerSecond: settings.admissionRatePerSecond,
        maxActiveCheckouts: Math.ceil(
          Math.max(settings.fans, settings.admissionRatePerSecond * 10),
        ),
      });
    }
    if (injected.done === null && sale.acceptedTickets >= settings.faultAt * ticketsTotal)
      inject('mid-sale');
    await Promise.race([...running, sleep(100)]);
  }
  const sellOut = soldOut()
    ? `sold out at ${since(saleStart)}`
    : `stopped unsold at ${since(saleStart)}`;
  if (signal.aborted && !soldOut()) failures.push('interrupted before the sale sold out');
  else if (!soldOut())
    failures.push(`the sale did not sell out within ${settings.saleTimeoutMs / 1000} s`);
  if (injected.done === null && !signal.aborted)
    inject('after the last join (the sale ended before the mark)');
  // The fans still in flow finish (in line until sold out, orders retried until answered); then
  // the ones reading their orders stop and the drain below reads every 202.
  while (sale.inFlow > 0 && performance.now() < sale.deadline && !signal.aborted) await sleep(100);
  sale.closing = true;
  await Promise.all(running);
  await injected.done;
  notes.unshift(
    `${started} fans, ${sellOut}, fans done at ${since(saleStart)}, ${sale.acceptedTickets} tickets in 202s`,
  );

  writeFileSync(join(stack.runDir, `fans-${fault.name}.json`), JSON.stringify(fans));
  const accepted = fans.flatMap((fan) => (fan.order === null ? [] : [fan.order]));
  const drainStart = performance.now();
  const { finals, lastAnswer } = await readBack(
    stack.targets.checkout.url,
    accepted,
    Date.now() + settings.drainMs,
    signal,
  );
  notes.push(`${finals.size} of ${accepted.length} 202s final after ${since(drainStart)} of drain`);
  const ledger = await readLedger(
    stack.databaseUrl,
    stack.redisUrl(),
    stack.redisKeyPrefix,
    eventId,
  );
  const verdicts = judgeOrders(accepted, finals, lastAnswer, ledger);

  const places = checkPlaces(
    fans.flatMap((fan) =>
      fan.joinSentAt === null || fan.joinAnsweredAt === null || fan.prequeue
        ? []
        : [
            {
              joinSentAt: fan.joinSentAt,
              joinAnsweredAt: fan.joinAnsweredAt,
              admittedBatch: fan.admittedBatch,
              waitedUntilBatch:
                fan.lastNotAdmittedAt === null
                  ? null
                  : fan.lastNotAdmittedAt - STATEMENT_MARGIN_MS + stack.checkoutWindowMs,
              refused: fan.placeLoss !== null,
            },
          ],
    ),
  );

  const oversoldLedger = Math.max(0, ledger.ticketRows - ticketsTotal);
  const oversoldRedis = Math.max(
    0,
    (ledger.redisSold ?? 0) - ticketsTotal,
    -(ledger.redisStock ?? 0),
  );
  const row: FaultRow = {
    fault: fault.name,
    eventId,
    ticketsTotal,
    accepted: accepted.length,
    confirmed: verdicts.confirmed,
    rejected: verdicts.rejected,
    persistedTickets: ledger.ticketRows,
    oversold: Math.max(oversoldLedger, oversoldRedis),
    duplicateCodes: ledger.ticketRows - ledger.distinctCodes,
    ordersLost: verdicts.lost.size,
    fansLostPlace: places.lost,
    failures,
    notes,
  };

  if (oversoldLedger > 0)
    failures.push(`the ledger holds ${ledger.ticketRows} tickets of ${ticketsTotal}`);
  if (oversoldRedis > 0)
    failures.push(
      `Redis sold ${ledger.redisSold ?? '?'} with stock ${ledger.redisStock ?? '?'} of ${ticketsTotal}`,
    );
  if (row.duplicateCodes > 0)
    failures.push(`${row.duplicateCodes} ticket rows repeat a code another row has`);
  if (verdicts.lost.size > 0) {
    const reasons = new Map<string, number>();
    for (const reason of verdicts.lost.values())
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const sample = [...verdicts.lost.entries()].slice(0, 3).map(([id, why]) => `${id}: ${why}`);
    failures.push(
      `${verdicts.lost.size} of ${accepted.length} 202s lost: ${tally(reasons)} (e.g. ${sample.join('; ')})`,
    );
  }
  if (places.lost > 0)
    failures.push(
      `${places.lost} of ${places.fans} fans lost their place: ${places.refused} had their queue token stop working, ${places.overtaken} were overtaken by a later joiner`,
    );

  const losses = new Map<string, number>();
  for (const fan of fans)
    if (fan.placeLoss) losses.set(fan.placeLoss, (losses.get(fan.placeLoss) ?? 0) + 1);
  if (losses.size > 0) notes.push(`queue tokens that stopped working: ${tally(losses)}`);
  if (sale.refusals.size > 0)
    notes.push(`answers that ended a fan's journey: ${tally(sale.refusals)}`);
  const redisFigures = `Redis sold ${ledger.redisSold ?? 'missing'}, stock ${ledger.redisStock ?? 'missing'}`;
  const inRows = [...ledger.orders.values()].filter((order) => order.status === 'confirmed');
  notes.push(
    `${redisFigures}; ledger: ${inRows.length} confirmed orders, ${ledger.orders.size - inRows.length} others, ${ledger.ticketRows} tickets`,
  );
  watched.forEach((service, i) => {
    const exits = service.unexpectedExits.slice(exitsBefore[i] ?? 0);
    if (exits.length > 0)
      notes.push(
        `${service.name} exited by itself ${exits.length}× (${exits.map((exit) => exit.signal ?? String(exit.code)).join(', ')}) and was restarted`,
      );
  });
  return { row, fansStarted: started };
}

async function createEvent(stack: SaleStack, eventId: string, ticketsTotal: number): Promise<void> {
  const body: CreateEventBody = {
    id: eventId,
    name: `Chaos sale ${eventId}`,
    venue: 'St. Pölten, Austria',
    ticketsTotal,
    maxPerOrder: 4,
    // Open from the start (no pre-queue, whose shuffle would make join order meaningless), and
    // closed to admission until the line has filled: the PATCH below opens it.
    opensAt: new Date(Date.now() - 1_000).toISOString(),
    admissionRatePerSecond: 0,
    maxActiveCheckouts: 1,
  };
  await ops(stack, 'POST', '/v1/admin/events', body, 201);
  // Fans start once the waiting room says the event is open and checkout knows it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [event, availability] = await Promise.all([
      fetch(`${stack.waitingRoom.url}/v1/events/${eventId}`).catch(() => null),
      fetch(`${stack.targets.checkout.url}/v1/events/${eventId}/availability`).catch(() => null),
    ]);
    const phase =
      event?.status === 200 ? ((await event.json()) as { phase?: unknown }).phase : null;
    if (phase === 'open' && availability?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(
        `event ${eventId} not open on both services after 30 s (phase ${String(phase)})`,
      );
    await sleep(100);
  }
}

function patchEvent(
  stack: SaleStack,
  eventId: string,
  patch: { admissionRatePerSecond: number; maxActiveCheckouts: number },
): Promise<void> {
  return ops(stack, 'PATCH', `/v1/admin/events/${eventId}`, patch, 200);
}

async function ops(
  stack: SaleStack,
  method: 'POST' | 'PATCH',
  path: string,
  body: unknown,
  expected: number,
): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const response = await fetch(`${stack.waitingRoom.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => message(err));
    if (typeof response !== 'string' && response.status === expected) return;
    last = typeof response === 'string' ? response : `${response.status} ${await response.text()}`;
    if (typeof response !== 'string' && response.status < 500) break;
    await sleep(500);
  }
  throw new Error(`${method} ${path} failed: ${last}`);
}

function since(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

function tally(counts: ReadonlyMap<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([what, n]) => `${what} ×${n}`)
    .join(', ');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type { AcceptedOrder };
