import type { NextRequest } from 'next/server';
import { forwardToOps } from '../../../../lib/ops-proxy';

export const dynamic = 'force-dynamic';

/** GET /api/ops/audit?event=&limit=: the waiting room's audit trail; it validates the query. */
export async function GET(request: NextRequest) {
  const query = new URLSearchParams();
  for (const key of ['event', 'limit']) {
    const value = request.nextUrl.searchParams.get(key);
    if (value !== null) query.set(key, value);
  }
  const suffix = query.size > 0 ? `?${query.toString()}` : '';
  return forwardToOps(request, `/v1/admin/audit${suffix}`);
}
