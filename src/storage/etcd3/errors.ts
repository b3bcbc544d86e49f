import { StorageError } from '../errors.js';

/** Translate an etcd/gRPC failure into a StorageError (by etcd's error text). */
export function fromEtcdError(err: unknown, context: { key?: string; revision?: number } = {}): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const details = { ...context, cause: err };
  if (message.includes('required revision has been compacted')) {
    return new StorageError('Compacted', `too old resource version: ${context.revision ?? 0}`, details);
  }
  if (message.includes('required revision is a future revision')) {
    return new StorageError('FutureRevision', `Too large resource version: ${context.revision ?? 0}`, details);
  }
  if (message.includes('request is too large') || message.includes('larger than max')) {
    return new StorageError('InvalidObject', `etcd rejected the request: ${message}`, details);
  }
  return new StorageError('Unavailable', `etcd request failed: ${message}`, details);
}
