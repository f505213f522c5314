export * from './errors.js';
export * from './ids.js';
export * from './events.js';
export * from './queue.js';
export * from './orders.js';
export * from './tokens.js';
export * from './messages.js';
export * from './redis-keys.js';
