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
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { errorHandlerPlugin } from './errors.js';
import { securityHeaders } from './security-headers.js';
import type { ServiceMetrics } from './metrics.js';
import { observabilityPlugin, type ReadinessCheck } from './plugin.js';
import { createResponseSerializerCompiler } from './serializer.js';
import { baseServerOptions, type HttpServerSettings } from './server.js';

export interface HttpAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Record<string, ReadinessCheck>;
  /** Set for public APIs: serves the OpenAPI document generated from the zod schemas. */
  openapi?: { title: string; description: string; version: string };
  /** Who a client is and how long a request may take; the env's TRUSTED_PROXY_HOPS goes here. */
  http?: HttpServerSettings;
  /**
   * Parse every response with its zod schema too (see createResponseSerializerCompiler): for
   * tests, which then refuse any response the contract would refuse; off in services.
   */
  checkResponses?: boolean;
  /** Errors of a dependency that did not answer: 503 with Retry-After instead of 500. */
  unavailable?: (err: Error) => boolean;
}

/**
 * What the APIs answer is JSON, never a page: nothing in it may load, run, frame or submit anything.
 * A browser that ever rendered a response (a mistaken navigation, an injected error message) gets
 * nothing to execute.
 */
const apiContentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Swagger UI at /docs is the one page an API serves: its scripts and styles are files of its own,
 * and it sets a few styles inline, which are allowed on that page only. No
 * `upgrade-insecure-requests`, so the page keeps working on plain-http local ports.
 */
const docsContentSecurityPolicy = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * The Fastify instance every service starts from: zod validation, responses written by serialisers
 * compiled from the same zod schemas (fast-json-stringify), the one error
 * model, security headers (helmet), RED metrics, health and readiness, and the OpenAPI document at
 * /docs (JSON at /docs/json).
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify(
    baseServerOptions(options.logger, options.http),
  ).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(
    createResponseSerializerCompiler({ checkWithZod: options.checkResponses ?? false }),
  );
  await app.register(errorHandlerPlugin, { unavailable: options.unavailable });
  // Registered before every route, so error replies and 404s carry the headers too. The API is
  // called cross-origin through CORS, which Cross-Origin-Resource-Policy does not restrict, so the
  // default same-origin policy stays: it only keeps other sites from embedding a response no-cors.
  const headers = securityHeaders({
    contentSecurityPolicy: apiContentSecurityPolicy,
    frameguard: { action: 'deny' },
  });
  app.addHook('onRequest', (_request, reply, next) => {
    void reply.headers(headers);
    next();
  });
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
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: docsContentSecurityPolicy });
  }
  await app.register(observabilityPlugin, {
    metrics: options.metrics,
    readiness: options.readiness,
  });
  return app;
}
