export * from './catalog-store.js';
export * from './parse-catalog.js';
