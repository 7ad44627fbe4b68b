export * from './paths.js';
export * from './verify.js';
export * from './publish.js';
