import { AvailabilitySchema, ErrorBodySchema, EventParamsSchema } from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { AvailabilityReader } from '../../availability/availability.js';
import type { EventIndex } from '../../events/event-index.js';

export interface AvailabilityRoutesOptions {
  availability: AvailabilityReader;
  events: EventIndex;
}

export const availabilityRoutes: FastifyPluginCallbackZod<AvailabilityRoutesOptions> = (
  app,
  options,
  done,
) => {
  app.get(
    '/v1/events/:eventId/availability',
    {
      schema: {
        summary: 'Tickets remaining for an event',
        description:
          'Read from Redis only, cached in memory for about 200 ms per replica. An unknown event ' +
          'is 404 from the in-memory list of events, without a Redis read per request.',
        params: EventParamsSchema,
        response: { 200: AvailabilitySchema, 404: ErrorBodySchema, 503: ErrorBodySchema },
      },
    },
    async (request) => {
      await options.events.require(request.params.eventId);
      return options.availability.get(request.params.eventId);
    },
  );
  done();
};
