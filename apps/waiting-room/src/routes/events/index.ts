import { ErrorBodySchema, EventParamsSchema, EventViewSchema } from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { toEventView } from '../../events/views.js';
import type { QueueService } from '../../queue/queue-service.js';

export interface EventRoutesOptions {
  queue: QueueService;
  prequeueWindowMs: number;
}

/** 1. The public view of an event, from the in-process snapshot. */
export const eventRoutes: FastifyPluginCallbackZod<EventRoutesOptions> = (app, options, done) => {
  app.get(
    '/v1/events/:eventId',
    {
      schema: {
        tags: ['events'],
        summary: 'An event, its phase and live figures',
        params: EventParamsSchema,
        response: { 200: EventViewSchema, 404: ErrorBodySchema, 422: ErrorBodySchema },
      },
    },
    async (request) => {
      const snapshot = await options.queue.snapshot(request.params.eventId);
      return toEventView(snapshot, Date.now(), options.prequeueWindowMs);
    },
  );
  done();
};
