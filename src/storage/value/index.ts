/** Encryption at rest: value transformers and `--encryption-provider-config`. */
export * from './transformer.js';
export { aesCbcTransformer, aesGcmTransformer } from './aes.js';
export { secretboxTransformer } from './secretbox.js';
export * from './encryption-config.js';
export { KeyTransformers } from './key-transformers.js';
