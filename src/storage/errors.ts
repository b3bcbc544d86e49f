/** Machine-readable reason carried by every storage failure. */
export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'InvalidObject'
  | 'Internal'
  | 'Timeout'
  | 'Unavailable'
  | 'RequestTooLarge';

/** Extra facts attached to a {@link StorageError}. */
export interface StorageErrorDetails {
  key?: string;
  /** The revision the caller asked for (e.g. a compacted or future revision). */
  revision?: number;
  /** The store's relevant boundary: current revision, or the compaction revision for `Compacted`. */
  currentRevision?: number;
  /** For a continuation whose revision was compacted: a token that continues at the latest revision. */
  continueToken?: string;
  cause?: unknown;
}

/**
 * The single error type thrown by the storage layer. The registry maps `code`
 * to a Kubernetes Status (KeyNotFound → 404, KeyExists → 409 AlreadyExists,
 * Conflict → 409, Compacted → 410 Expired, FutureRevision → 504 "Too large resource version",
 * InvalidObject (a bad request parameter: resourceVersion, continue token) → 400,
 * Internal (the store failed or refused the call, a stored object is corrupt) → 500 InternalError,
 * Timeout (the store did not answer in time) → 504 Timeout, Unavailable (the store cannot be
 * reached, or a watcher was cut off) → 503 ServiceUnavailable, RequestTooLarge (a write over etcd's
 * `--max-request-bytes`) → the 500 kube-apiserver passes on from etcd, `etcdserver: request is too large`).
 */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key?: string;
  readonly revision?: number;
  readonly currentRevision?: number;
  readonly continueToken?: string;

  constructor(code: StorageErrorCode, message: string, details: StorageErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StorageError';
    this.code = code;
    if (details.key !== undefined) this.key = details.key;
    if (details.revision !== undefined) this.revision = details.revision;
    if (details.currentRevision !== undefined) this.currentRevision = details.currentRevision;
    if (details.continueToken !== undefined) this.continueToken = details.continueToken;
  }
}

/** True when `err` is a {@link StorageError}, optionally with the given code. */
export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}

/** etcd's default `--max-request-bytes`: the largest write request it takes (1.5 MiB). */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** etcd's refusal of a write over its request size limit, in etcd's words. */
export function requestTooLargeError(key: string): StorageError {
  return new StorageError('RequestTooLarge', 'etcdserver: request is too large', { key });
}

/** The Compacted error for a read or watch below the compaction boundary. */
export function compactedError(revision: number, compacted: number, key?: string): StorageError {
  return new StorageError('Compacted', `too old resource version: ${revision} (${compacted})`, {
    revision,
    currentRevision: compacted,
    ...(key === undefined ? {} : { key }),
  });
}

/** The FutureRevision error for a read at a revision the store has not reached. */
export function futureRevisionError(revision: number, current: number): StorageError {
  return new StorageError('FutureRevision', `Too large resource version: ${revision}, current: ${current}`, {
    revision,
    currentRevision: current,
  });
}
