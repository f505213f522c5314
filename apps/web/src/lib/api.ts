import {
  AvailabilitySchema,
  ErrorBodySchema,
  type ErrorCode,
  EventViewSchema,
  JoinChallengeSchema,
  JoinResponseSchema,
  OrderAcceptedSchema,
  OrderViewSchema,
  QueueStatusSchema,
  AdminEventViewSchema,
  AuditListSchema,
  EventConfigSchema,
  type CreateOrderBody,
  type PatchEventBody,
} from '@frequency/contracts';
import type { z } from 'zod';
import { parseRetryAfter } from './poll';

/** A failed call: the contract's error code when the API answered, NETWORK when it did not. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK' | 'UNEXPECTED',
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** 'omit' for the APIs (tokens travel in headers); 'same-origin' for web's own routes. */
  credentials?: RequestCredentials;
}

async function call<S extends z.ZodType | null>(
  url: string,
  schema: S,
  options: CallOptions = {},
): Promise<S extends z.ZodType ? z.infer<S> : undefined> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
      cache: 'no-store',
      credentials: options.credentials ?? 'omit',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'network error');
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (!response.ok) {
    const parsed = ErrorBodySchema.safeParse(await response.json().catch(() => null));
    if (parsed.success) {
      throw new ApiError(
        response.status,
        parsed.data.error.code,
        parsed.data.error.message,
        retryAfterMs,
      );
    }
    throw new ApiError(response.status, 'UNEXPECTED', `HTTP ${response.status}`, retryAfterMs);
  }
  if (schema === null || response.status === 204) {
    return undefined as S extends z.ZodType ? z.infer<S> : undefined;
  }
  const data = schema.safeParse(await response.json().catch(() => null));
  if (!data.success) throw new ApiError(response.status, 'UNEXPECTED', 'unexpected answer');
  return data.data as S extends z.ZodType ? z.infer<S> : undefined;
}

const path = (id: string) => encodeURIComponent(id);

/** The contract's endpoints, one function each, typed by the schemas in @frequency/contracts. */
export function createApi(base: { waitingRoomUrl: string; checkoutUrl: string }) {
  const wr = base.waitingRoomUrl.replace(/\/$/, '');
  const co = base.checkoutUrl.replace(/\/$/, '');
  return {
    getEvent: (eventId: string, signal?: AbortSignal) =>
      call(`${wr}/v1/events/${path(eventId)}`, EventViewSchema, { signal }),
    /** Extension: a join challenge (proof of work) at the event's current difficulty. */
    challenge: (eventId: string) =>
      call(`${wr}/v1/events/${path(eventId)}/challenge`, JoinChallengeSchema, { method: 'POST' }),
    join: (
      eventId: string,
      queueToken: string | null,
      solution?: { challenge: string; nonce: string },
    ) =>
      call(`${wr}/v1/events/${path(eventId)}/queue`, JoinResponseSchema, {
        method: 'POST',
        token: queueToken,
        ...(solution ? { body: solution } : {}),
      }),
    queueStatus: (eventId: string, queueToken: string, signal?: AbortSignal) =>
      call(`${wr}/v1/events/${path(eventId)}/queue/me`, QueueStatusSchema, {
        token: queueToken,
        signal,
      }),
    leave: (eventId: string, queueToken: string) =>
      call(`${wr}/v1/events/${path(eventId)}/queue/me`, null, {
        method: 'DELETE',
        token: queueToken,
      }),
    availability: (eventId: string, signal?: AbortSignal) =>
      call(`${co}/v1/events/${path(eventId)}/availability`, AvailabilitySchema, { signal }),
    placeOrder: (
      eventId: string,
      admissionToken: string,
      idempotencyKey: string,
      body: CreateOrderBody,
    ) =>
      call(`${co}/v1/events/${path(eventId)}/orders`, OrderAcceptedSchema, {
        method: 'POST',
        token: admissionToken,
        body,
        headers: { 'idempotency-key': idempotencyKey },
      }),
    /** With the order's receipt token (or, while it is valid, the admission token that placed it). */
    order: (orderId: string, token: string, signal?: AbortSignal) =>
      call(`${co}/v1/orders/${path(orderId)}`, OrderViewSchema, { token, signal }),
  };
}

export type Api = ReturnType<typeof createApi>;

/**
 * The ops API, through web's own routes (/api/ops/*, which call it inside the cluster: it is on no
 * public host). Same origin, so the identity-aware proxy's session cookie goes along.
 */
export function createOpsApi() {
  const options = { credentials: 'same-origin' } as const;
  return {
    adminEvent: (eventId: string, opsToken: string, signal?: AbortSignal) =>
      call(`/api/ops/events/${path(eventId)}`, AdminEventViewSchema, {
        ...options,
        token: opsToken,
        signal,
      }),
    patchEvent: (eventId: string, opsToken: string, body: PatchEventBody) =>
      call(`/api/ops/events/${path(eventId)}`, EventConfigSchema, {
        ...options,
        method: 'PATCH',
        token: opsToken,
        body,
      }),
    audit: (eventId: string, opsToken: string, limit: number, signal?: AbortSignal) =>
      call(`/api/ops/audit?event=${path(eventId)}&limit=${limit}`, AuditListSchema, {
        ...options,
        token: opsToken,
        signal,
      }),
  };
}

export type OpsApi = ReturnType<typeof createOpsApi>;
