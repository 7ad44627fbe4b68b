export * from './object-store.js';
export { MemoryStore } from './memory-store.js';
