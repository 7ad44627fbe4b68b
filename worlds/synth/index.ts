export * from './simulate.js';
export * from './world.js';
export * from './write-logs.js';
