import { NextResponse, type NextRequest } from 'next/server';
import { webEnv } from './env';

/** Longer than any ops API call takes; a hung waiting room must not hold the console's request. */
const upstreamTimeoutMs = 5_000;

/** Headers of the waiting room's answer the console needs: the 429's Retry-After. */
const passedBack = ['content-type', 'retry-after'] as const;

/**
 * Forwards one ops API call to the waiting room inside the cluster (`WAITING_ROOM_URL`): the ops API
 * is on no public host, so the browser reaches it only through these routes. The waiting room stays
 * the one judge of the token (names, failed-login limit, audit); this route adds nothing to trust.
 *
 * X-Forwarded-For is passed on unchanged, so the waiting room charges failed logins to the same
 * client it would see without web in between: behind Google's load balancer web's connection takes
 * the place of the GFE's, and the entries the GFE appended stay the nearest ones
 * (docs/deploy.md, "Who a client is"). `next start` fills the header in only when it is absent.
 */
export async function forwardToOps(
  request: NextRequest,
  path: string,
  method: string = request.method,
): Promise<NextResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = request.headers.get('authorization');
  if (authorization) headers.authorization = authorization;
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  if (hasBody) headers['content-type'] = request.headers.get('content-type') ?? 'application/json';
  let upstream: Response;
  try {
    upstream = await fetch(`${webEnv().WAITING_ROOM_URL.replace(/\/$/, '')}${path}`, {
      method,
      headers,
      body: hasBody ? await request.text() : null,
      cache: 'no-store',
      signal: AbortSignal.timeout(upstreamTimeoutMs),
    });
  } catch {
    return NextResponse.json(
      {
        error: {
          code: 'UNAVAILABLE',
          message: 'the ops API cannot be reached',
          requestId: crypto.randomUUID(),
        },
      },
      { status: 503, headers: { 'cache-control': 'no-store' } },
    );
  }
  const answer = new Headers({ 'cache-control': 'no-store' });
  for (const name of passedBack) {
    const value = upstream.headers.get(name);
    if (value) answer.set(name, value);
  }
  return new NextResponse(await upstream.text(), { status: upstream.status, headers: answer });
}

/**
 * Null when the request's ops token is accepted by the waiting room, else the refusal to send back
 * (401, or 429 while the client is locked out). Asking the waiting room keeps one list of ops tokens,
 * and a wrong token here counts as a failed login like any other.
 */
export async function refuseUnlessOpsToken(request: NextRequest): Promise<NextResponse | null> {
  const answer = await forwardToOps(request, '/v1/admin/audit?limit=1', 'GET');
  return answer.status === 200 ? null : answer;
}
