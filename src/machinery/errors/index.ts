export * from './status.js';
export * from './api-error.js';
export * from './mismatch.js';
