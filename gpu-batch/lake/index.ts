export * from './columns.js';
export * from './duck.js';
export * from './lake-append.js';
export * from './lake-paths.js';
export * from './lake-sync.js';
