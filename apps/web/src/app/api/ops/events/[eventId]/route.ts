import type { NextRequest } from 'next/server';
import { forwardToOps } from '../../../../../lib/ops-proxy';

export const dynamic = 'force-dynamic';

interface Context {
  params: Promise<{ eventId: string }>;
}

/** GET /api/ops/events/{eventId}: the ops API's config and live figures of an event. */
export async function GET(request: NextRequest, context: Context) {
  const { eventId } = await context.params;
  return forwardToOps(request, `/v1/admin/events/${encodeURIComponent(eventId)}`);
}

/** PATCH /api/ops/events/{eventId}: an ops change, audited by the waiting room under the token's name. */
export async function PATCH(request: NextRequest, context: Context) {
  const { eventId } = await context.params;
  return forwardToOps(request, `/v1/admin/events/${encodeURIComponent(eventId)}`);
}
