/** Pure code shared by the edge and the batch tier: no runtime globals beyond Web standards. */
export * from './rng.js';
export * from './schemas/index.js';
export * from './explore/index.js';
export * from './store/index.js';
export * from './crypto/index.js';
export * from './artifact/index.js';
export * from './own-key.js';
