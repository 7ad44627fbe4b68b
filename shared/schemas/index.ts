export * from './common.js';
export * from './strategy.js';
export * from './slate.js';
export * from './event.js';
export * from './impression.js';
export * from './catalog.js';
export * from './artifact.js';
export * from './queue.js';
