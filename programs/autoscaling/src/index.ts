export * from './hpa.js';
export * from './manifests.js';
export * from './demand.js';
export * from './capacity.js';
export * from './replay.js';
export * from './services.js';
export * from './plan.js';
