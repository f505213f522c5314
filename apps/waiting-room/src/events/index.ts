/** What other packages (the local stack, tests) may use to seed and change events without HTTP. */
export { createEvent, patchEvent, readConfig, type StoredConfig } from './event-store.js';
