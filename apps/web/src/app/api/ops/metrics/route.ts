import { EventIdSchema } from '@frequency/contracts';
import { NextResponse, type NextRequest } from 'next/server';
import { webEnv } from '../../../../lib/env';
import { compactMetrics, type ServiceName } from '../../../../lib/ops-metrics';
import { refuseUnlessOpsToken } from '../../../../lib/ops-proxy';

export const dynamic = 'force-dynamic';

/** One scrape may not hold up the once-a-second refresh: a service slower than this counts as down. */
const scrapeTimeoutMs = 800;

async function scrape(url: string): Promise<string | null> {
  try {
    const response = await fetch(`${url.replace(/\/$/, '')}/metrics`, {
      signal: AbortSignal.timeout(scrapeTimeoutMs),
      cache: 'no-store',
    });
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

function errorBody(code: 'VALIDATION_FAILED', message: string, status: number) {
  return NextResponse.json(
    { error: { code, message, requestId: crypto.randomUUID() } },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

/**
 * GET /api/ops/metrics?event=<id>: scrapes the three services' /metrics server-side (they are not
 * reachable from a browser, and their figures are for ops only) and answers a compact JSON. Only for
 * a token the waiting room's ops API accepts.
 */
export async function GET(request: NextRequest) {
  const refused = await refuseUnlessOpsToken(request);
  if (refused) return refused;
  const env = webEnv();
  const event = EventIdSchema.safeParse(request.nextUrl.searchParams.get('event') ?? 'frequency-20xx');
  if (!event.success) return errorBody('VALIDATION_FAILED', 'event: not an event id', 422);
  const [waitingRoom, checkout, worker] = await Promise.all([
    scrape(env.WAITING_ROOM_URL),
    scrape(env.CHECKOUT_URL),
    scrape(env.WORKER_URL),
  ]);
  const scraped: Record<ServiceName, string | null> = {
    'waiting-room': waitingRoom,
    checkout,
    worker,
  };
  return NextResponse.json(compactMetrics(event.data, scraped), {
    headers: { 'cache-control': 'no-store' },
  });
}
