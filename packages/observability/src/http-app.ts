import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { errorHandlerPlugin } from './errors.js';
import type { ServiceMetrics } from './metrics.js';
import { observabilityPlugin, type ReadinessCheck } from './plugin.js';
import { baseServerOptions, type HttpServerSettings } from './server.js';

export interface HttpAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Record<string, ReadinessCheck>;
  /** Set for public APIs: serves the OpenAPI document generated from the zod schemas. */
  openapi?: { title: string; description: string; version: string };
  /** Who a client is and how long a request may take; the env's TRUSTED_PROXY_HOPS goes here. */
  http?: HttpServerSettings;
}

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * The Fastify instance every service starts from: zod validation and serialization, the one error
 * model, RED metrics, health and readiness, and the OpenAPI document at /docs (JSON at /docs/json).
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify(
    baseServerOptions(options.logger, options.http),
  ).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandlerPlugin);
  if (options.openapi) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: options.openapi,
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }
  await app.register(observabilityPlugin, {
    metrics: options.metrics,
    readiness: options.readiness,
  });
  return app;
}
