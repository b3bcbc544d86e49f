/** Public surface of the storage layer. */
export * from './errors.js';
export * from './kv.js';
export * from './codec.js';
export * from './object-store.js';
export { createBackend, type BackendConfig } from './factory.js';
export { startCompactor, type Compactor, type CompactorOptions } from './compactor.js';
export { createEmbeddedBackend, type EmbeddedBackendOptions, type SyncMode } from './embedded/index.js';
export { createEtcdBackend, type EtcdBackendOptions } from './etcd3/index.js';
export { createMemoryBackend } from './memory/index.js';
export * from './media-type.js';
export { storageCodec, type ProtobufTypeLookup, type StorageCodecOptions } from './storage-codec.js';
