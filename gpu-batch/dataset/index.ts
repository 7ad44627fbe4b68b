export * from './build-dataset.js';
export * from './read-dataset.js';
