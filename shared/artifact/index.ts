export * from './paths.js';
export * from './verify.js';
export * from './publish.js';
export * from './history.js';
export * from './resolve.js';
