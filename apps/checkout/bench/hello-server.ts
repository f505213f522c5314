import Fastify from 'fastify';

/** The bare baseline: Fastify hello-world JSON, one process, same host and port handling as checkout. */
const app = Fastify({ logger: false });
app.get('/healthz', () => ({ status: 'ok' }));
app.get('/', () => ({ hello: 'world' }));
// The same hello-world for the order's request (JSON body, bearer token): Fastify parses the body.
app.post('/', () => ({ hello: 'world' }));
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
