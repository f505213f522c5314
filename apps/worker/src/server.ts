import { loadEnvOrExit } from '@frequency/config';
import { createLogger, listenWithGrace } from '@frequency/observability';
import { buildApp } from './app.js';
import { envSchema } from './env.js';
import { createWorkerServices } from './services.js';

/**
 * The worker process: the Pub/Sub consumer, the reconciliation loop and the HTTP face. On SIGTERM
 * the HTTP server stops accepting, then the consumer stops pulling, writes and acks the batch in
 * hand, and every client closes; the process exits 0. A SIGKILL loses nothing either: whatever was
 * not acked is delivered again.
 */
const env = loadEnvOrExit(envSchema);
const logger = createLogger({ service: 'worker', level: env.LOG_LEVEL });
const services = createWorkerServices(env, logger);
const app = await buildApp({ env, logger, services });
app.addHook('onClose', async () => {
  await services.close();
});
services.consumer.start();
services.reconciler.start();
services.mailer?.start();
await listenWithGrace(app, {
  host: env.HOST,
  port: env.PORT,
  logger,
  drainTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS + 5_000,
});
