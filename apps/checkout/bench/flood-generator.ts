import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

/**
 * The flood of bench/flood.ts, in a process of its own so its CPU is not the probe's: POSTs an
 * order with a forged admission token (the waiting room's header and kid, a well-formed payload for
 * the event, a random 64-byte signature) at FLOOD_RATE requests/s for FLOOD_SECONDS, then prints
 * one JSON line with what it achieved.
 */
const url = process.env.FLOOD_URL ?? '';
const path = process.env.FLOOD_PATH ?? '';
const template = process.env.FLOOD_TEMPLATE ?? '';
const rate = Number(process.env.FLOOD_RATE ?? 10_000);
const seconds = Number(process.env.FLOOD_SECONDS ?? 10);
const connections = Number(process.env.FLOOD_CONNECTIONS ?? 100);

// Distinct tokens, so nothing could be answered from a cache of earlier answers.
const forged = Array.from(
  { length: 4_096 },
  () => `${template}.${randomBytes(64).toString('base64url')}`,
);
let next = 0;
const body = JSON.stringify({ quantity: 1, buyer: { name: 'Flood', email: 'flood@example.com' } });

const result = await autocannon({
  url,
  connections,
  duration: seconds,
  overallRate: rate,
  requests: [
    {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body,
      setupRequest: (request) => ({
        ...request,
        headers: {
          ...request.headers,
          authorization: `Bearer ${forged[next++ % forged.length] ?? ''}`,
        },
      }),
    },
  ],
});
const statuses: Record<string, number> = {};
for (const [status, stats] of Object.entries(result.statusCodeStats ?? {}))
  statuses[status] = stats.count ?? 0;
process.stdout.write(
  `${JSON.stringify({
    sent: result.requests.total,
    rate: result.requests.total / seconds,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
  })}\n`,
);
