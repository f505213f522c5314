import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdmissionTokenSigner } from '../../tokens/admission-tokens.js';

const JwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({ id: 'Jwks' });

/** 5. Public keys of admission tokens: the signing key, the next one and any previous one. */
export const jwksRoutes: FastifyPluginCallbackZod<{ signer: AdmissionTokenSigner }> = (
  app,
  options,
  done,
) => {
  const body = options.signer.jwks;
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Keys that verify admission tokens (ES256)',
        response: { 200: JwksSchema },
      },
    },
    async (_request, reply) => {
      // Short enough that a rotation reaches checkout quickly, long enough to spare this endpoint.
      void reply.header('cache-control', 'public, max-age=60');
      return body;
    },
  );
  done();
};
