import { StorageError } from '../errors.js';

/** gRPC status names as they appear in grpc-js error messages (`14 UNAVAILABLE: …`). */
const UNAVAILABLE = /\bUNAVAILABLE\b|No connection established|ECONNREFUSED|etcdserver: no leader|etcdserver: leader changed|client was already closed/;
const TIMED_OUT = /\bDEADLINE_EXCEEDED\b|etcdserver: request timed out/;

/**
 * Translate an etcd/gRPC failure into a StorageError (by etcd's error text): compaction and
 * future revisions keep their meaning; an etcd that cannot be reached is Unavailable, one that
 * did not answer in time is Timeout; a write over etcd's request limit is RequestTooLarge; anything
 * else — etcd refusing the call, an unexpected reply — is Internal. None of these is the caller's fault (never a 400).
 */
export function fromEtcdError(err: unknown, context: { key?: string; revision?: number; write?: boolean } = {}): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const { write, ...where } = context;
  const details = { ...where, cause: err };
  if (message.includes('required revision has been compacted')) {
    return new StorageError('Compacted', `too old resource version: ${context.revision ?? 0}`, details);
  }
  if (message.includes('required revision is a future revision')) {
    return new StorageError('FutureRevision', `Too large resource version: ${context.revision ?? 0}`, details);
  }
  if (TIMED_OUT.test(message)) return new StorageError('Timeout', `etcd did not answer in time: ${message}`, details);
  if (UNAVAILABLE.test(message)) return new StorageError('Unavailable', `etcd request failed: ${message}`, details);
  if (message.includes('request is too large') || (write && (message.includes('larger than max') || message.includes('RESOURCE_EXHAUSTED')))) {
    // A write over etcd's request limit (or over the gRPC message limit above it): one answer for both, as the embedded store gives.
    return new StorageError('RequestTooLarge', 'etcdserver: request is too large', details);
  }
  if (message.includes('larger than max') || message.includes('RESOURCE_EXHAUSTED')) {
    return new StorageError('Internal', `etcd rejected the request: ${message}`, details);
  }
  return new StorageError('Internal', `etcd request failed: ${message}`, details);
}
