import {
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
import type { AdmissionVerifier } from '../../admission/verifier.js';
import type { EventIndex } from '../../events/event-index.js';
import type { OrderService } from '../../orders/service.js';

export interface OrderRoutesOptions {
  orders: OrderService;
  verifier: AdmissionVerifier;
  events: EventIndex;
}

const errors = {
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  422: ErrorBodySchema,
  503: ErrorBodySchema,
};

export const orderRoutes: FastifyPluginCallbackZod<OrderRoutesOptions> = (app, options, done) => {
  /** Admissions checked before the body was read, by request. */
  const admitted = new WeakMap<object, AdmissionTokenClaims>();

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
          'orders: beyond it 409 BUYER_LIMIT.',
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
        await options.events.require(eventId);
        admitted.set(
          request,
          await options.verifier.verify(request.headers.authorization, eventId, request.ip),
        );
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const admission =
        admitted.get(request) ??
        (await options.verifier.verify(request.headers.authorization, eventId, request.ip));
      const accepted = await options.orders.place(
        eventId,
        admission,
        request.body,
        request.headers['idempotency-key'],
      );
      return reply.code(202).send(accepted);
    },
  );

  app.get(
    '/v1/orders/:orderId',
    {
      schema: {
        summary: 'An order and, once confirmed, its tickets',
        description: 'Readable only with the admission token that placed the order; 404 otherwise.',
        security: [{ bearer: [] }],
        params: OrderParamsSchema,
        headers: OrderHeadersSchema.pick({ authorization: true }),
        response: { 200: OrderViewSchema, ...errors },
      },
    },
    async (request) => {
      const admission = await options.verifier.verify(
        request.headers.authorization,
        undefined,
        request.ip,
      );
      return options.orders.get(admission, request.params.orderId);
    },
  );
  done();
};
