export * from './gate.js';
export * from './gc.js';
export * from './item-matrix.js';
export * from './rollback.js';
