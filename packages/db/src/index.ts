export * from './schema.js';
export * from './store.js';
export * from './client.js';
export * from './postgres-store.js';
export * from './migrate.js';
