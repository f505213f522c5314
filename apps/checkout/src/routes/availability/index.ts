import { AvailabilitySchema, ErrorBodySchema, EventParamsSchema } from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { AvailabilityReader } from '../../availability/availability.js';

export interface AvailabilityRoutesOptions {
  availability: AvailabilityReader;
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
        description: 'Read from Redis only, cached in memory for about 200 ms per replica.',
        params: EventParamsSchema,
        response: { 200: AvailabilitySchema, 404: ErrorBodySchema },
      },
    },
    async (request) => options.availability.get(request.params.eventId),
  );
  done();
};
