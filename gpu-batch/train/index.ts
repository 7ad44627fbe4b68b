export * from './backend.js';
export * from './cold-items.js';
export * from './content-features.js';
export * from './mf-model.js';
export * from './top-k.js';
