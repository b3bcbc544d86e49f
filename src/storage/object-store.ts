import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { KubeObject } from '../machinery/meta/object.js';
import { bytesEqual, decodeEncodedWithVersion, decodeWithVersion, encodeWithoutVersion, fromStoredValue, jsonCodec, toStoredValue, type Codec } from './codec.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { StorageError, futureRevisionError, isStorageError } from './errors.js';
import type { KeyValue, KvBackend, KvEvent } from './kv.js';
import type { Selection } from './cache/selection.js';
import type { SerializedMemo } from '../machinery/meta/serialized.js';

export type { KubeObject } from '../machinery/meta/object.js';
export type { Codec } from './codec.js';

/** Optimistic-concurrency preconditions checked against the stored object. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Options for {@link ObjectStore.list}. */
export interface ObjectListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  continue?: string;
  predicate?: (o: KubeObject) => boolean;
  /** The same selection in structured form, for stores that filter without decoding (the watch cache). */
  selection?: Selection;
}

/** Result of {@link ObjectStore.list}. */
export interface ObjectListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * A read whose object is decoded only when asked for, with the stored state's shared
 * serializations when the store keeps them (the watch cache): a response whose bytes are
 * held needs no object at all.
 */
export interface LazyObject {
  memo?: SerializedMemo;
  /** The object (a fresh one each call when the store decodes; callers own it). */
  object(): KubeObject;
}

/** {@link ObjectListResult} with its items decoded one at a time, as asked for. */
export interface LazyListResult extends Omit<ObjectListResult, 'items'> {
  count: number;
  item(i: number): KubeObject;
  memo(i: number): SerializedMemo | undefined;
}

/** A result's items as a lazy list (they are decoded already). */
export function lazyListOf(res: ObjectListResult): LazyListResult {
  const { items, ...rest } = res;
  return { ...rest, count: items.length, item: (i) => items[i]!, memo: () => undefined };
}

/** Options for {@link ObjectStore.watch}. */
export interface ObjectWatchOptions {
  resourceVersion?: string;
  predicate?: (o: KubeObject) => boolean;
  /** The same selection in structured form (see {@link ObjectListOptions.selection}). */
  selection?: Selection;
  /**
   * Ask for progress: BOOKMARK events whose object carries only a resourceVersion, every
   * matching change up to it having been sent before. A store may send none (the direct
   * store does not); the watch cache sends its revision as it moves.
   */
  progressNotify?: boolean;
  signal: AbortSignal;
}

/**
 * One watch event, with the object's resourceVersion set to the event's revision; a
 * BOOKMARK (only with {@link ObjectWatchOptions.progressNotify}) has an object of
 * `metadata.resourceVersion` alone.
 */
export type ObjectWatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject };

/** Options for {@link ObjectStore.guaranteedUpdate}. */
export interface GuaranteedUpdateOptions {
  preconditions?: Preconditions;
  /**
   * The stored state a cache holds (possibly stale): the first attempt starts from it
   * instead of reading the store. A stale guess costs one failed compare-and-swap; a
   * precondition failure or a no-op found on it is confirmed against the store first.
   */
  suggestion?: KeyValue;
}

/** Options for {@link ObjectStore.delete}. */
export interface ObjectDeleteOptions {
  preconditions?: Preconditions;
  /** Runs on the current object before each delete attempt; throw to abort. */
  validate?: (current: KubeObject) => void | Promise<void>;
}

/**
 * Kubernetes-object storage over a {@link KvBackend} — the only storage API
 * the registry sees. `metadata.resourceVersion` is never stored; every
 * returned object carries the storage revision as a decimal string.
 */
export interface ObjectStore {
  /** Create-if-absent; throws StorageError('KeyExists'). Any resourceVersion on `obj` is ignored. */
  create(key: string, obj: KubeObject): Promise<KubeObject>;
  /**
   * Throws StorageError('KeyNotFound'). Without a resourceVersion the read is consistent
   * (it sees every write acknowledged before it); `"0"` allows any recent state; a
   * revision asks for a state at least that new.
   */
  get(key: string, opts?: { resourceVersion?: string }): Promise<KubeObject>;
  /** `get`, decoding only when asked (optional: stores that keep decoded state need not). */
  getLazy?(key: string, opts?: { resourceVersion?: string }): Promise<LazyObject>;
  /** A consistent (single-revision) possibly paginated list of objects under `prefix`. */
  list(prefix: string, opts: ObjectListOptions): Promise<ObjectListResult>;
  /** `list`, its items decoded one at a time as asked for (optional, as `getLazy`). */
  listLazy?(prefix: string, opts: ObjectListOptions): Promise<LazyListResult>;
  /**
   * Read-modify-write with compare-and-swap, retried on conflict. `tryUpdate`
   * may throw to abort; if it returns an object that encodes to the stored
   * bytes (compared after decryption) nothing is written and the current object is
   * returned, unless the stored value is stale (written with another encryption provider
   * or key than the first): then it is written again, re-encrypted.
   */
  guaranteedUpdate(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts?: GuaranteedUpdateOptions,
  ): Promise<KubeObject>;
  /** Delete; returns the last state with the delete's revision as resourceVersion. */
  delete(key: string, opts?: ObjectDeleteOptions): Promise<KubeObject>;
  /** Changes under `prefix` after `resourceVersion` (unset/"0": synthetic ADDED for current objects first). */
  watch(prefix: string, opts: ObjectWatchOptions): AsyncIterable<ObjectWatchEvent>;
  currentResourceVersion(): Promise<string>;
  /**
   * Resolves once reads of `key`'s resource reflect `revision`; rejects with
   * FutureRevision after the freshness timeout (3 s). Absent: reads always see the store's latest state.
   */
  waitFresh?(key: string, revision: number): Promise<void>;
}

/** Objects decoded in one go when reading a list, before other work gets the event loop. */
const DECODE_SLICE = 500;

/** Options for {@link createObjectStore}. */
export interface ObjectStoreOptions {
  codec?: Codec;
  /** Keys read per backend page when filling a list page or the initial watch state (default 500). */
  pageSize?: number;
}

/** Parse a resourceVersion query value; undefined for unset. Throws InvalidObject. */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(Number(rv))) {
    throw new StorageError('InvalidObject', `invalid resource version: ${JSON.stringify(rv)}`);
  }
  return Number(rv);
}

/**
 * The Compacted error for a continuation whose pinned revision is gone: as upstream, the
 * client gets a token for the same position at the latest revision (an inconsistent list).
 */
function continueExpired(err: StorageError, startKey: string, prefix: string): StorageError {
  return new StorageError(
    'Compacted',
    'The provided continue parameter is too old to display a consistent list result. ' +
      'You can start a new list without the continue parameter, or use the continue token in this response to ' +
      'retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - ' +
      'objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    {
      ...(err.revision !== undefined ? { revision: err.revision } : {}),
      ...(err.currentRevision !== undefined ? { currentRevision: err.currentRevision } : {}),
      continueToken: encodeContinue(startKey, prefix, -1),
      cause: err,
    },
  );
}

/** Lists and watches are recursive: the prefix always ends in "/" so "/a" never matches "/ab". */
function dirPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function checkPreconditions(key: string, current: KubeObject, pre: Preconditions | undefined): void {
  if (!pre) return;
  const meta = current.metadata ?? {};
  if (pre.uid !== undefined && pre.uid !== meta.uid) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
      { key },
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
      { key },
    );
  }
}

/** Create the object store over `backend`. */
export function createObjectStore(backend: KvBackend, opts: ObjectStoreOptions = {}): ObjectStore {
  const codec = opts.codec ?? jsonCodec();
  const pageSize = opts.pageSize ?? 500;

  const decode = (kv: KeyValue, revision = kv.modRevision): KubeObject => decodeWithVersion(codec, kv.value, revision, kv.key);
  const notFound = (key: string) => new StorageError('KeyNotFound', `key not found: ${key}`, { key });

  async function readCurrent(key: string): Promise<KeyValue> {
    const { kv } = await backend.get(key);
    if (!kv) throw notFound(key);
    return kv;
  }

  /** Decide the revision a list reads at (undefined = current) and the minimum it must reach. */
  function listRevision(o: ObjectListOptions): { revision?: number; minimum?: number } {
    const rv = parseResourceVersion(o.resourceVersion);
    if (o.resourceVersionMatch === 'Exact') {
      if (!rv) throw new StorageError('InvalidObject', 'resourceVersionMatch "Exact" requires a non-zero resourceVersion');
      return { revision: rv };
    }
    if (o.resourceVersionMatch === 'NotOlderThan') return rv ? { minimum: rv } : {};
    if (rv && o.limit) return { revision: rv }; // legacy: RV with a limit reads at that revision
    return rv ? { minimum: rv } : {};
  }

  /**
   * etcd leaves out an event's previous value when it was compacted away before the event was
   * sent. A DELETED event cannot be built without it, nor can a filtered watch tell whether an
   * update stopped matching: as kube-apiserver, the watch ends with an error (an ERROR event,
   * 500) so the client re-lists, rather than silently losing the event.
   */
  function missingPrevious(ev: KvEvent): Error {
    const type = ev.type === 'delete' ? 'DELETE' : 'PUT';
    return new Error(`etcd event received with PrevKv=nil (key=${JSON.stringify(ev.kv.key)}, modRevision=${ev.kv.modRevision}, type=${type})`);
  }

  function toEvent(ev: KvEvent, predicate: ((o: KubeObject) => boolean) | undefined): ObjectWatchEvent | undefined {
    if (ev.type === 'delete') {
      const last = ev.prevKv ?? (ev.kv.value.byteLength > 0 ? ev.kv : undefined);
      if (!last) throw missingPrevious(ev);
      const object = decodeWithVersion(codec, last.value, ev.kv.modRevision, ev.kv.key);
      return predicate && !predicate(object) ? undefined : { type: 'DELETED', object };
    }
    const object = decode(ev.kv);
    const created = ev.kv.createRevision === ev.kv.modRevision;
    if (!predicate) return { type: created ? 'ADDED' : 'MODIFIED', object };
    const now = predicate(object);
    if (created) return now ? { type: 'ADDED', object } : undefined;
    if (!ev.prevKv) throw missingPrevious(ev);
    const old = decode(ev.prevKv, ev.kv.modRevision);
    const before = predicate(old);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object };
    // Stopped matching: like kube-apiserver, a DELETED with the previous state stamped at this revision.
    return before ? { type: 'DELETED', object: old } : undefined;
  }

  return {
    async create(key, obj) {
      const encoded = encodeWithoutVersion(codec, obj);
      const revision = await backend.create(key, toStoredValue(codec, encoded, key));
      return decodeEncodedWithVersion(codec, encoded, revision, key);
    },

    async get(key) {
      return decode(await readCurrent(key));
    },

    async list(rawPrefix, o) {
      const prefix = dirPrefix(rawPrefix);
      let revision: number | undefined;
      let startKey: string | undefined;
      let minimum: number | undefined;
      if (o.continue) {
        ({ revision, startKey } = decodeContinue(o.continue, prefix));
        if (o.resourceVersion && o.resourceVersion !== '0') {
          throw new StorageError('InvalidObject', 'specifying resource version is not allowed when using continue');
        }
      } else {
        ({ revision, minimum } = listRevision(o));
      }
      const limit = o.limit && o.limit > 0 ? o.limit : 0;
      const predicate = o.predicate;
      const continuedAt = startKey;
      const items: KubeObject[] = [];
      let next: string | undefined; // key the next page starts at, when there is one
      let remaining: number | undefined;
      let batch = limit > 0 ? limit : 0;
      for (;;) {
        const res = await backend
          .list(prefix, {
            ...(revision !== undefined ? { revision } : {}),
            ...(startKey !== undefined ? { startKey } : {}),
            ...(batch > 0 ? { limit: batch } : {}),
          })
          .catch(async (err: unknown) => {
            if (continuedAt !== undefined && isStorageError(err, 'Compacted')) throw continueExpired(err, continuedAt, prefix);
            if (isStorageError(err, 'FutureRevision') && err.currentRevision === undefined) {
              throw futureRevisionError(err.revision ?? revision ?? 0, await backend.currentRevision());
            }
            throw err;
          });
        if (revision === undefined && minimum !== undefined && res.revision < minimum) {
          throw futureRevisionError(minimum, res.revision);
        }
        revision = res.revision; // every later page reads at the first page's revision
        let i = 0;
        for (; i < res.kvs.length && (limit === 0 || items.length < limit); i++) {
          // Decoding a large page is long work: give other requests their turn now and then.
          if (i > 0 && i % DECODE_SLICE === 0) await yieldToLoop();
          const obj = decode(res.kvs[i]!);
          if (!predicate || predicate(obj)) items.push(obj);
        }
        const lastKey = res.kvs[i - 1]?.key;
        const moreAfter = i < res.kvs.length || res.more;
        if (limit > 0 && items.length >= limit) {
          if (moreAfter && lastKey !== undefined) {
            next = `${lastKey}\u0000`;
            if (!predicate) remaining = res.count - i;
          }
          break;
        }
        if (!res.more || lastKey === undefined) break;
        startKey = `${lastKey}\u0000`;
        batch = Math.min(batch * 2, 10_000);
      }
      const out: ObjectListResult = { items, resourceVersion: String(revision) };
      if (next !== undefined) {
        out.continue = encodeContinue(next, prefix, revision);
        if (remaining !== undefined) out.remainingItemCount = remaining;
      }
      return out;
    },

    async guaranteedUpdate(key, tryUpdate, o = {}) {
      let kv = o.suggestion ?? (await readCurrent(key));
      // Whether `kv` came from the cache and was not confirmed by the store yet.
      let guessed = o.suggestion !== undefined;
      for (;;) {
        // The stored value as encoded (decrypted), and whether it must be rewritten anyway.
        const stored = fromStoredValue(codec, kv.value, key);
        const current = decodeEncodedWithVersion(codec, stored.data, kv.modRevision, key);
        try {
          checkPreconditions(key, current, o.preconditions);
        } catch (err) {
          if (!guessed) throw err;
          kv = await readCurrent(key);
          guessed = false;
          continue;
        }
        // `current` is freshly decoded: tryUpdate may mutate it.
        const updated = await tryUpdate(current);
        const encoded = encodeWithoutVersion(codec, updated);
        // A no-op compares plaintexts; a stale value (an old key or provider) is written again.
        if (!stored.stale && bytesEqual(encoded, stored.data)) {
          if (!guessed) return decodeEncodedWithVersion(codec, stored.data, kv.modRevision, key);
          const fresh = await readCurrent(key);
          if (fresh.modRevision === kv.modRevision) return decode(fresh);
          kv = fresh;
          guessed = false;
          continue;
        }
        const res = await backend.update(key, toStoredValue(codec, encoded, key), kv.modRevision);
        if (res.ok) return decodeEncodedWithVersion(codec, encoded, res.revision, key);
        if (!res.current) throw notFound(key);
        kv = res.current; // lost the race: retry against the newer state
        guessed = false;
      }
    },

    async delete(key, o = {}) {
      let kv = await readCurrent(key);
      for (;;) {
        const current = decode(kv);
        checkPreconditions(key, current, o.preconditions);
        if (o.validate) await o.validate(current);
        const res = await backend.delete(key, kv.modRevision);
        if (res.ok) return decode(res.prev, res.revision);
        if (!res.current) throw notFound(key);
        kv = res.current;
      }
    },

    async *watch(rawPrefix, o) {
      const prefix = dirPrefix(rawPrefix);
      const rv = parseResourceVersion(o.resourceVersion);
      let after: number;
      if (!rv) {
        // Synthetic ADDED for the current state, all read at one revision.
        let revision: number | undefined;
        let startKey: string | undefined;
        for (;;) {
          const res = await backend.list(prefix, {
            limit: pageSize,
            ...(revision !== undefined ? { revision } : {}),
            ...(startKey !== undefined ? { startKey } : {}),
          });
          revision = res.revision;
          for (const kv of res.kvs) {
            if (o.signal.aborted) return;
            const object = decode(kv);
            if (!o.predicate || o.predicate(object)) yield { type: 'ADDED', object };
          }
          const last = res.kvs[res.kvs.length - 1];
          if (!res.more || !last) break;
          startKey = `${last.key}\u0000`;
        }
        after = revision;
      } else {
        after = rv;
      }
      for await (const batch of backend.watch(prefix, after, o.signal)) {
        for (const ev of batch) {
          const out = toEvent(ev, o.predicate);
          if (out) yield out;
        }
      }
    },

    async currentResourceVersion() {
      return String(await backend.currentRevision());
    },
  };
}
