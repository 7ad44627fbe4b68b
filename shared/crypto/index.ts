export * from './encoding.js';
export * from './hmac.js';
export * from './token.js';
export * from './user-assertion.js';
