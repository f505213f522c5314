import { NextResponse } from 'next/server';
import { webEnv } from '../../../lib/env';
import type { RuntimeConfig } from '../../../lib/runtime-config';

/** Read per request from the environment, so one build serves any deployment's API addresses. */
export const dynamic = 'force-dynamic';

export function GET() {
  const env = webEnv();
  const body: RuntimeConfig = {
    waitingRoomUrl: env.WAITING_ROOM_PUBLIC_URL ?? env.WAITING_ROOM_URL,
    checkoutUrl: env.CHECKOUT_PUBLIC_URL ?? env.CHECKOUT_URL,
  };
  // A minute of browser and CDN caching: a fan loads it once per visit, a rollout waits at most that.
  return NextResponse.json(body, {
    headers: { 'cache-control': 'public, max-age=60, s-maxage=60' },
  });
}
