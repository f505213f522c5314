import { loadEnvOrExit } from '@frequency/config';
import { createLogger, listenWithGrace } from '@frequency/observability';
import { buildApp } from './app.js';
import { envSchema } from './env.js';

const env = loadEnvOrExit(envSchema);
const logger = createLogger({ service: 'waiting-room', level: env.LOG_LEVEL });
const app = await buildApp({ env, logger });
await listenWithGrace(app, { host: env.HOST, port: env.PORT, logger });
