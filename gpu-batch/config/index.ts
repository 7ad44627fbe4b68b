export * from './config.js';
export * from './duration.js';
export * from './errors.js';
export * from './rewards.js';
