export { postgresEnv } from './postgres-env.js';
