export * from './build-policy.js';
export * from './exploration.js';
export * from './item-stats.js';
export * from './posteriors.js';
