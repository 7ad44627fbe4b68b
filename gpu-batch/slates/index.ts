export * from './user-shards.js';
