import { webEnv } from '../../lib/env';

export const dynamic = 'force-dynamic';

/** The web app has no connections of its own: it is ready when its environment parses. */
export function GET() {
  try {
    webEnv();
    return Response.json({ status: 'ready' }, { headers: { 'cache-control': 'no-store' } });
  } catch {
    return Response.json({ status: 'not ready' }, { status: 503, headers: { 'cache-control': 'no-store' } });
  }
}
