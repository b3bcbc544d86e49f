/**
 * The watch cache as a decorator of the object store: `forResource` gives a resource's
 * store whose reads and watches under the resource's root come from that resource's
 * {@link Cacher}; writes, and keys outside the root, go to the store underneath.
 */
import { SharedRevisionReads } from './store-revision.js';
import type { Codec } from '../codec.js';
import type { KvBackend } from '../kv.js';
import { lazyListOf, type ObjectStore } from '../object-store.js';
import { Cacher, type CacherOptions, type CacherStats } from './cacher.js';
import { SerializationMemo, type SerializationMemoStats } from './serialization-memo.js';
import type { AttributesOf } from './selection.js';

/** How one resource is cached. */
export interface CachedResource {
  /** The resource's key root; ends with `/`. */
  root: string;
  group: string;
  resource: string;
  namespaced: boolean;
  attributes: AttributesOf;
  indexedFields?: readonly string[];
}

/** Tuning shared by every resource's cache (see {@link CacherOptions}). */
export type WatchCacheTuning = Pick<CacherOptions, 'windowEvents' | 'windowBytes' | 'watcherBudgetBytes' | 'pageSize' | 'freshnessTimeoutMs' | 'progressIntervalMs'> & {
  /** Bytes of responses (GETs, list items) kept for cached objects, all resources together (default 64 MiB; 0: none). */
  serializationBudgetBytes?: number;
};

/** What {@link createWatchCache} needs. */
export interface WatchCacheOptions extends WatchCacheTuning {
  backend: KvBackend;
  /** The uncached object store over the same backend. */
  inner: ObjectStore;
  codec: Codec;
  /** Compare every cache with the store this often (0 or absent: never on a timer). */
  consistencyCheckIntervalMs?: number;
}

/** One cached resource's figures, for /metrics. */
export interface CachedResourceStats extends CacherStats {
  group: string;
  resource: string;
  watchers: number;
}

/** A resource's cached store; `release` gives it back (the last user's release stops the cache). */
export interface CachedObjectStore extends ObjectStore {
  release(): void;
}

export interface WatchCache {
  /**
   * The store a resource's registry uses; one cache per root however often it is asked. The
   * cache lives while any store handed out for its root is unreleased: releasing the last one
   * stops its backend watch, ends its watchers and frees its memory.
   */
  forResource(res: CachedResource): CachedObjectStore;
  /** Resolves when every cache created so far holds its resource's state. */
  whenReady(): Promise<void>;
  /** Runs the self-check of every cache now. */
  checkConsistency(): Promise<void>;
  stats(): CachedResourceStats[];
  /** The shared response bytes' figures (absent when the budget is 0). */
  memoStats(): SerializationMemoStats | undefined;
  /** `backend` with compactions reported to every cache (use it for everything that compacts). */
  observingCompaction(backend: KvBackend): KvBackend;
  stop(): void;
}

export function createWatchCache(opts: WatchCacheOptions): WatchCache {
  const caches = new Map<string, { cacher: Cacher; res: CachedResource; users: number }>();
  // Store revisions for consistent reads, shared by every resource's cache (store-revision.ts).
  const revisions = new SharedRevisionReads(() => opts.backend.currentRevision());
  const storeRevision = (): Promise<number> => revisions.current();
  const inner = opts.inner;
  const budget = opts.serializationBudgetBytes;
  const memo = budget === 0 ? undefined : new SerializationMemo(budget);
  let timer: NodeJS.Timeout | undefined;
  const checkAll = async (): Promise<void> => {
    for (const { cacher } of caches.values()) await cacher.checkConsistency();
  };
  if (opts.consistencyCheckIntervalMs && opts.consistencyCheckIntervalMs > 0) {
    timer = setInterval(() => void checkAll().catch(() => undefined), opts.consistencyCheckIntervalMs);
    timer.unref();
  }

  function cacherFor(res: CachedResource): Cacher {
    const existing = caches.get(res.root);
    if (existing) {
      existing.users++;
      return existing.cacher;
    }
    const cacher = new Cacher({
      root: res.root,
      backend: opts.backend,
      inner,
      codec: opts.codec,
      attributes: res.attributes,
      namespaced: res.namespaced,
      ...(res.indexedFields ? { indexedFields: res.indexedFields } : {}),
      storeRevision,
      ...(opts.windowEvents !== undefined ? { windowEvents: opts.windowEvents } : {}),
      ...(opts.windowBytes !== undefined ? { windowBytes: opts.windowBytes } : {}),
      ...(opts.watcherBudgetBytes !== undefined ? { watcherBudgetBytes: opts.watcherBudgetBytes } : {}),
      ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
      ...(opts.freshnessTimeoutMs !== undefined ? { freshnessTimeoutMs: opts.freshnessTimeoutMs } : {}),
      ...(memo ? { memo } : {}),
      ...(opts.progressIntervalMs !== undefined ? { progressIntervalMs: opts.progressIntervalMs } : {}),
    });
    caches.set(res.root, { cacher, res, users: 1 });
    return cacher;
  }

  return {
    forResource(res) {
      const cacher = cacherFor(res);
      let released = false;
      const mine = (key: string): boolean => key.startsWith(res.root);
      const dir = (p: string): string => (p.endsWith('/') ? p : `${p}/`);
      return {
        create: async (key, obj) => {
          const created = await inner.create(key, obj);
          if (mine(key)) cacher.offerWritten(key, created);
          return created;
        },
        get: (key, o) => (mine(key) ? cacher.get(key, o?.resourceVersion) : inner.get(key, o)),
        getLazy: async (key, o) => {
          if (mine(key)) return cacher.getLazy(key, o?.resourceVersion);
          const obj = await inner.get(key, o);
          return { object: () => obj };
        },
        list: (prefix, o) => (mine(dir(prefix)) ? cacher.list(prefix, o) : inner.list(prefix, o)),
        listLazy: async (prefix, o) => (mine(dir(prefix)) ? cacher.listLazy(prefix, o) : lazyListOf(await inner.list(prefix, o))),
        guaranteedUpdate: (key, tryUpdate, o) => {
          // Start from the cached state: one round trip when it is current, as upstream's cachedExistingObject.
          const suggestion = mine(key) ? cacher.peek(key) : undefined;
          return inner.guaranteedUpdate(key, tryUpdate, suggestion ? { ...o, suggestion } : o).then((updated) => {
            if (mine(key)) cacher.offerWritten(key, updated);
            return updated;
          });
        },
        delete: (key, o) => inner.delete(key, o),
        watch: (prefix, o) => (mine(dir(prefix)) ? cacher.watch(prefix, o) : inner.watch(prefix, o)),
        currentResourceVersion: () => inner.currentResourceVersion(),
        waitFresh: (key, revision) => (mine(key) ? cacher.waitFor(revision) : Promise.resolve()),
        release() {
          if (released) return;
          released = true;
          const held = caches.get(res.root);
          if (!held || held.cacher !== cacher || --held.users > 0) return;
          caches.delete(res.root);
          cacher.stop();
        },
      };
    },
    async whenReady() {
      await Promise.all([...caches.values()].map(({ cacher }) => cacher.whenReady()));
    },
    checkConsistency: checkAll,
    observingCompaction(backend) {
      return {
        ...backend,
        async compact(revision) {
          await backend.compact(revision);
          for (const { cacher } of caches.values()) cacher.compacted(revision);
        },
      };
    },
    stats() {
      return [...caches.values()].map(({ cacher, res }) => ({ group: res.group, resource: res.resource, watchers: cacher.watcherCount, ...cacher.stats }));
    },
    memoStats: () => memo?.snapshot(),
    stop() {
      if (timer) clearInterval(timer);
      for (const { cacher } of caches.values()) cacher.stop();
    },
  };
}
