export * from './app.js';
export * from './scheduler.js';
export * from './serve.js';
