export * from './status.js';
export * from './api-error.js';
