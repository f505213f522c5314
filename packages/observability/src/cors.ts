import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';

/**
 * CORS for the public APIs (waiting room, checkout), whose callers are browsers on the web app's
 * origin. Every poll carries `Authorization`, which makes each request "non-simple": without a long
 * preflight cache every poll would cost two requests. `maxAge` lets a browser reuse one preflight per
 * URL for ten minutes (Chromium caps it at two hours, Firefox at a day).
 */
export const corsEnv = z.object({
  /** Comma-separated origins allowed to call the API from a browser; `*` allows any. */
  CORS_ORIGINS: z.string().min(1).default('http://localhost:3000,http://127.0.0.1:3000'),
});

export interface CorsOptions {
  /** Exact origins (scheme://host:port), or `*` for any. */
  origins: string[];
  preflightMaxAgeSeconds?: number;
}

export function parseCorsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter((origin) => origin.length > 0);
}

/**
 * What the browser may send and read. Credentials stay off: tokens travel in `Authorization`, never
 * in cookies, so no origin can ride on a fan's session. `Retry-After` is exposed so the pages can
 * honour it on 429 and 503.
 */
export const corsPolicy = {
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: ['Authorization', 'Idempotency-Key', 'Content-Type'],
  exposedHeaders: ['Retry-After'],
  credentials: false,
} as const;

export const corsPlugin = fp<CorsOptions>(
  async (app: FastifyInstance, options) => {
    const any = options.origins.includes('*');
    await app.register(cors, {
      origin: any ? '*' : options.origins,
      methods: [...corsPolicy.methods],
      allowedHeaders: [...corsPolicy.allowedHeaders],
      exposedHeaders: [...corsPolicy.exposedHeaders],
      credentials: corsPolicy.credentials,
      maxAge: options.preflightMaxAgeSeconds ?? 600,
      strictPreflight: true,
    });
  },
  { name: 'frequency-cors', fastify: '5.x' },
);
