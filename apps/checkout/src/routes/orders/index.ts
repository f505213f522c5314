import {
  AppError,
  CreateOrderBodySchema,
  ErrorBodySchema,
  EventIdSchema,
  EventParamsSchema,
  OrderAcceptedSchema,
  OrderHeadersSchema,
  OrderParamsSchema,
  OrderViewSchema,
  type AdmissionTokenClaims,
} from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { bearerToken, type AdmissionVerifier } from '../../admission/verifier.js';
import type { EventIndex, KnownEvent } from '../../events/event-index.js';
import type { OrderReader, OrderService } from '../../orders/service.js';
import { looksLikeReceipt, type ReceiptTokens } from '../../receipts/receipt-tokens.js';

export interface OrderRoutesOptions {
  orders: OrderService;
  verifier: AdmissionVerifier;
  events: EventIndex;
  receipts: ReceiptTokens;
}

interface Admitted {
  event: KnownEvent;
  claims: AdmissionTokenClaims;
  /** Past its exp (signature checked): the request may only look up the order it placed. */
  expired: boolean;
}

const errors = {
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  422: ErrorBodySchema,
  503: ErrorBodySchema,
};

export const orderRoutes: FastifyPluginCallbackZod<OrderRoutesOptions> = (app, options, done) => {
  /** Admissions checked before the body was read, by request. */
  const admitted = new WeakMap<object, Admitted>();

  /**
   * The admission of an order request. An expired one is taken (its signature checked) only when
   * the request names an Idempotency-Key, and then only to look up the order it already placed.
   */
  async function admission(
    headers: {
      authorization?: string | undefined;
      'idempotency-key'?: string | string[] | undefined;
    },
    eventId: string,
    client: string,
  ): Promise<Pick<Admitted, 'claims' | 'expired'>> {
    try {
      return {
        claims: await options.verifier.verify(headers.authorization, eventId, client),
        expired: false,
      };
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'TOKEN_EXPIRED') || !headers['idempotency-key'])
        throw err;
      const claims = await options.verifier.verify(headers.authorization, eventId, client, {
        allowExpired: true,
      });
      return { claims, expired: true };
    }
  }

  app.post(
    '/v1/events/:eventId/orders',
    {
      schema: {
        summary: 'Place the order of an admission',
        description:
          'Reserves tickets atomically in Redis and publishes the purchase intent before answering. ' +
          'One admission yields one order: sent again (with or without the same Idempotency-Key) it ' +
          "answers 202 with the same orderId. quantity above the event's maxPerOrder is 422. " +
          'Only a live admission orders: after the fan left the queue it is 403 ADMISSION_REVOKED, ' +
          'once its checkout window has passed 401 TOKEN_EXPIRED. A buyer e-mail (trimmed, ' +
          "lower-cased, without +tag) reserves at most the event's maxPerBuyer tickets across " +
          'orders: beyond it 409 BUYER_LIMIT. The 202 comes only once the purchase intent is in ' +
          'Pub/Sub; if it cannot be published in time, nothing stays reserved and the answer is ' +
          '503 UNAVAILABLE with Retry-After: the same admission (or Idempotency-Key) again reserves ' +
          'the same order (same orderId and tickets) while the admission is live. Every 202 carries ' +
          'a receiptToken that reads the order for 30 days. After the admission has expired, the ' +
          'same Idempotency-Key still answers 202 with the order it placed (and a receiptToken); ' +
          'it never reserves anything then.',
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        headers: OrderHeadersSchema,
        body: CreateOrderBodySchema,
        response: {
          202: OrderAcceptedSchema,
          403: ErrorBodySchema,
          409: ErrorBodySchema,
          ...errors,
        },
      },
      // The event and the token are checked before the body is read and validated: a flood of
      // forged tokens costs as little main-thread time as it can, and tokens sent to made-up events
      // never reach the signature queue. A malformed event id is left to validation (422).
      onRequest: async (request) => {
        const { eventId } = request.params;
        if (!EventIdSchema.safeParse(eventId).success) return;
        const event = await options.events.require(eventId);
        admitted.set(request, {
          event,
          ...(await admission(request.headers, eventId, request.ip)),
        });
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const checked: Admitted = admitted.get(request) ?? {
        event: await options.events.require(eventId),
        ...(await admission(request.headers, eventId, request.ip)),
      };
      const key = request.headers['idempotency-key'];
      const accepted =
        checked.expired && key !== undefined
          ? await options.orders.lookup(eventId, checked.claims, key)
          : await options.orders.place(
              eventId,
              checked.claims,
              request.body,
              key,
              checked.event.ticketsTotal,
            );
      return reply.code(202).send(accepted);
    },
  );

  /** Who reads an order: a receipt token (its typ says so) or else an admission token. */
  async function reader(authorization: string | undefined, client: string): Promise<OrderReader> {
    const token = bearerToken(authorization);
    if (looksLikeReceipt(token))
      return { kind: 'receipt', claims: await options.receipts.verify(token) };
    return {
      kind: 'admission',
      claims: await options.verifier.verify(authorization, undefined, client),
    };
  }

  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        summary: 'An order and, once confirmed, its tickets',
        description:
          'Authorization: Bearer with either the admission token that placed the order (while it ' +
          "is valid) or the order's receiptToken from the 202 (for 30 days, long after the " +
          'admission has expired). Any other order, including one whose placement was answered ' +
          '503, is 404 NOT_FOUND. A rejected order carries its reason (SOLD_OUT, INVALID, FAILED).',
        security: [{ bearer: [] }],
        params: OrderParamsSchema,
        headers: OrderHeadersSchema.pick({ authorization: true }),
        response: { 200: OrderViewSchema, ...errors },
      },
    },
    async (request) =>
      options.orders.get(
        await reader(request.headers.authorization, request.ip),
        request.params.orderId,
      ),
  );
  done();
};
