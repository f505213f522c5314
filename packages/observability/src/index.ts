export * from './logger.js';
export * from './metrics.js';
export * from './plugin.js';
export * from './errors.js';
export * from './server.js';
export * from './http-app.js';
export * from './serializer.js';
