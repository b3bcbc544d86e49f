/**
 * The revisioned key-value backend contract (kine-sized). Every write bumps a
 * single store-wide revision; `modRevision` of a key is the revision of its
 * last write, and is what the object store exposes as `resourceVersion`.
 */

/** One key at one revision. */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

/**
 * A change to one key. For `delete`, `kv.modRevision` is the revision of the
 * delete itself; `kv.value` may be empty (etcd) or the last value (embedded,
 * memory) — use `prevKv` for the last state.
 */
export type KvEvent =
  | { type: 'put'; kv: KeyValue; prevKv?: KeyValue }
  | { type: 'delete'; kv: KeyValue; prevKv?: KeyValue };

/** Options for {@link KvBackend.list}. */
export interface ListOptions {
  /** Read at this revision (default: current). */
  revision?: number;
  /** First key to return (inclusive); must start with the prefix. */
  startKey?: string;
  /** Maximum number of keys to return; 0/undefined = unlimited. */
  limit?: number;
}

/** Result of {@link KvBackend.list}. */
export interface ListResult {
  /** The revision the list was read at. */
  revision: number;
  kvs: KeyValue[];
  /** More keys exist after the returned ones. */
  more: boolean;
  /** Total keys matching the prefix and >= startKey at that revision. */
  count: number;
}

/** Result of a compare-and-swap write. */
export type CasResult = { ok: true; revision: number } | { ok: false; current?: KeyValue };
/** Result of a compare-and-swap delete; `prev` is the state just before the delete. */
export type DeleteResult = { ok: true; revision: number; prev: KeyValue } | { ok: false; current?: KeyValue };

/**
 * A notice in a progress watch: every event at or below `revision` for the watched range
 * has been yielded before it.
 */
export interface ProgressNotice {
  type: 'progress';
  revision: number;
}

/**
 * A watch that, besides event batches, yields {@link ProgressNotice}s when asked: what a
 * watch cache needs to know it has caught up with the store (KEP-2340's consistent reads).
 */
export interface ProgressWatch extends AsyncIterable<KvEvent[] | ProgressNotice> {
  /** Ask for a notice soon; several requests may be answered by one notice. */
  requestProgress(): void;
}

/** The backend interface implemented by embedded (SQLite), etcd3 and memory backends. */
export interface KvBackend {
  /** Latest revision of the whole store. */
  currentRevision(): Promise<number>;
  /** One key at `revision` (default current); `kv` is absent when the key does not exist. */
  get(key: string, opts?: { revision?: number }): Promise<{ revision: number; kv?: KeyValue }>;
  /** Keys with `prefix`, ascending, starting at startKey (inclusive), at one revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Create-if-absent. Resolves with the new revision; throws StorageError('KeyExists'). */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Compare-and-swap on modRevision. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<CasResult>;
  /** Delete, optionally guarded by modRevision. `{ok:false}` without `current` = key absent. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /**
   * Events with revision > afterRevision for keys under prefix, in revision
   * order, no gaps or duplicates, one batch per revision. Throws
   * StorageError('Compacted') if the history after `afterRevision` is
   * compacted away; StorageError('Unavailable') when the watcher falls too far
   * behind or the connection is lost (the client re-lists). Ends when `signal` aborts.
   */
  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<KvEvent[]>;
  /** {@link watch} with progress notices on request (same ordering and error contract). */
  watchWithProgress(prefix: string, afterRevision: number, signal: AbortSignal): ProgressWatch;
  /**
   * Present where a progress notice cannot be taken on trust (etcd before 3.4.25/3.5.8 may
   * send one ahead of events still owed): at `revision`, how many keys under `prefix` were
   * written after `afterRevision`, and how many keys there are. A cache that applied every
   * event up to `afterRevision` has missed nothing iff the first is 0 and the second is its size.
   */
  progressCheck?(prefix: string, afterRevision: number, revision: number): Promise<{ changed: number; keys: number }>;
  /** Discard history before `revision`; reads at `revision` and later stay valid. */
  compact(revision: number): Promise<void>;
  /** Lowest revision still readable (compaction boundary); 0 when never compacted. */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

/** Exclusive upper bound of the key range with `prefix`; undefined = unbounded. */
export function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xffff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return undefined;
}
