export * from './download.js';
export * from './log-keys.js';
export * from './quarantine.js';
export * from './validate-log.js';
export * from './watermark.js';
