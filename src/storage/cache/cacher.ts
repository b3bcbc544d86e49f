/**
 * The watch cache of one resource: the current state of every key under the resource's
 * root, kept from one backend watch, plus a sliding window of recent events. Reads and
 * watches are answered from memory:
 * - a GET or LIST without resourceVersion first waits until the cache has caught up with
 *   the store's current revision (a consistent read, KEP-2340), falling back to the store
 *   when it cannot within the freshness timeout;
 * - `resourceVersion=0` is served at once; a `NotOlderThan` revision waits for it;
 * - an exact revision or a continuation inside the window is a snapshot rebuilt from the
 *   window (so every page of a list is at one revision); older ones go to the store;
 * - a watch from a revision inside the window replays from memory; one older than the
 *   window is 410 Expired, as kube-apiserver answers.
 */
import { createHash } from 'node:crypto';
import { cloneObject, type KubeObject } from '../../machinery/meta/object.js';
import { decodeWithVersion, type Codec } from '../codec.js';
import { decodeContinue, encodeContinue } from '../continue-token.js';
import { StorageError, compactedError, futureRevisionError, isStorageError } from '../errors.js';
import { prefixEnd, type KeyValue, type KvBackend, type KvEvent, type ProgressWatch } from '../kv.js';
import {
  lazyListOf,
  parseResourceVersion,
  type LazyListResult,
  type LazyObject,
  type ObjectListOptions,
  type ObjectListResult,
  type ObjectStore,
  type ObjectWatchEvent,
  type ObjectWatchOptions,
} from '../object-store.js';
import type { SerializedMemo } from '../../machinery/meta/serialized.js';
import { EventObjects, type CacheEntry, type CacheEvent, type WatchFilter } from './cache-event.js';
import { CacheWatcher } from './cache-watcher.js';
import { RevisionWaiters } from './revision-waiters.js';
import type { SerializationMemo } from './serialization-memo.js';
import type { AttributesOf, SelectionAttributes } from './selection.js';
import { SortedKeys } from './sorted-keys.js';

/** What one resource's cache needs. */
export interface CacherOptions {
  /** The resource's key root; ends with `/`. */
  root: string;
  backend: KvBackend;
  /** The uncached store: reads the cache cannot answer go there. */
  inner: ObjectStore;
  codec: Codec;
  attributes: AttributesOf;
  /** Keys are `<root><namespace>/<name>` (else `<root><name>`). */
  namespaced: boolean;
  /** Selectable fields with an index (upstream indexes e.g. `spec.nodeName` of pods). */
  indexedFields?: readonly string[];
  /** The store's current revision (shared and coalesced by the caller). */
  storeRevision: () => Promise<number>;
  /** Most events the window keeps (default 10 000). */
  windowEvents?: number;
  /** Most stored bytes the window keeps (default 64 MiB). */
  windowBytes?: number;
  /** Undelivered bytes a watcher may hold before it is ended (default 16 MiB). */
  watcherBudgetBytes?: number;
  /** Keys per backend page while filling the cache (default 1 000). */
  pageSize?: number;
  /** How long a read waits for the cache to reach a revision (default 3 s, upstream's blockTimeout). */
  freshnessTimeoutMs?: number;
  /** Where the response bytes of current entries are kept (shared by every cache, one byte budget). */
  memo?: SerializationMemo;
  /** How often watches that asked for progress are told the cache's revision (default 1 s; the store is asked every 10). */
  progressIntervalMs?: number;
}

/** Counters of one cache. */
export interface CacherStats {
  backendWatches: number;
  objects: number;
  windowEvents: number;
  consistency: { match: number; mismatch: number; error: number };
  /** Reads the cache handed to the store. */
  fallbacks: number;
}

/** How many recent events keep their decoded objects (older ones decode again if replayed). */
const MEMO_EVENTS = 1000;

const EMPTY_ATTRS: SelectionAttributes = { labels: {}, fields: {} };

function dirPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** A value that owns its bytes (a view into a larger response buffer would pin the buffer). */
function ownKv(kv: KeyValue): KeyValue {
  const v = kv.value;
  if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) return kv;
  return { ...kv, value: new Uint8Array(v) };
}

/** Most writes' decoded objects held for their events at once (a write whose event never comes is let go with the rest). */
const WRITTEN_OFFERS = 1024;

export class Cacher {
  private entries = new Map<string, CacheEntry>();
  private readonly keys = new SortedKeys();
  private readonly index = new Map<string, Map<string, Set<string>>>();
  private window: (CacheEvent | undefined)[] = [];
  private head = 0;
  private windowHeld = 0;
  /** The window covers revisions (startRev, rev]. */
  private startRev = 0;
  private rev = 0;
  /** The store's compaction revision as this server last compacted it: older reads go to the store. */
  private compactedRev = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private readonly waiters = new RevisionWaiters();
  /** When the progress request still unanswered was sent (0: none is). */
  private progressAskedForReads = 0;
  /** A progress notice being checked against the store beside the watch loop, and the newest one waiting its turn. */
  private progressChecking = false;
  private progressQueued = 0;
  private readonly objects: EventObjects;
  private readonly lifetime = new AbortController();
  private progress: ProgressWatch | undefined;
  private readonly ready: Promise<void>;
  private recentlyAdded = new Set<CacheEntry>();
  private olderAdded = new Set<CacheEntry>();
  /** Watches iterating their initial state right now. */
  private initialInProgress = 0;
  private readonly sweep: NodeJS.Timeout;
  private readonly progressTicker: NodeJS.Timeout;
  /** When the cache last asked the store for progress on behalf of its watchers. */
  private progressAskedAt = 0;
  /** Writes' decoded objects waiting for their events (offerWritten). */
  private written = new Map<string, { revision: number; object: KubeObject }>();
  /** How many times the state was (re)filled from a list. */
  private fills = 0;
  readonly stats: CacherStats = { backendWatches: 0, objects: 0, windowEvents: 0, consistency: { match: 0, mismatch: 0, error: 0 }, fallbacks: 0 };

  constructor(private readonly o: CacherOptions) {
    this.objects = new EventObjects(o.codec);
    for (const f of o.indexedFields ?? []) this.index.set(f, new Map());
    this.ready = this.fill().then(() => {
      void this.run();
    });
    this.ready.catch(() => undefined);
    // Initial-state events are shared while watches start; unused ones are let go.
    this.sweep = setInterval(() => this.sweepAdded(), 15_000);
    this.sweep.unref();
    this.progressTicker = setInterval(() => this.tellProgress(), this.o.progressIntervalMs ?? 1000);
    this.progressTicker.unref();
  }

  /**
   * A write through this server's store, as the store decoded it for the answer: a copy waits
   * for the write's own event (same key and revision), which then takes it instead of decoding
   * the same bytes a second time. Offers whose event came first are dropped.
   */
  offerWritten(key: string, object: KubeObject): void {
    const revision = Number(object.metadata?.resourceVersion);
    if (!(revision > this.rev)) return;
    if (this.written.size >= WRITTEN_OFFERS) this.written.clear();
    this.written.set(key, { revision, object: cloneObject(object) });
  }

  /** Resolves when the cache holds the resource's state. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The cache's revision: everything up to it is applied. */
  get revision(): number {
    return this.rev;
  }

  /** The store compacted history before `revision`: reads and watches older than it answer as the store would. */
  compacted(revision: number): void {
    this.compactedRev = Math.max(this.compactedRev, revision);
  }

  /** The oldest revision a snapshot can be served at. */
  private get oldestSnapshot(): number {
    return Math.max(this.startRev, this.compactedRev);
  }

  stop(): void {
    clearInterval(this.sweep);
    clearInterval(this.progressTicker);
    this.lifetime.abort();
    for (const w of this.watchers) w.end();
    // The shared memo outlives this cache: what it kept for this resource goes now.
    if (this.o.memo) for (const e of this.entries.values()) this.o.memo.release(e);
  }

  // ---- filling and following the store ----

  private async listAll(): Promise<{ revision: number; kvs: KeyValue[] }> {
    const pageSize = this.o.pageSize ?? 1000;
    const kvs: KeyValue[] = [];
    let revision: number | undefined;
    let startKey: string | undefined;
    for (;;) {
      const res = await this.o.backend.list(this.o.root, {
        limit: pageSize,
        ...(revision !== undefined ? { revision } : {}),
        ...(startKey !== undefined ? { startKey } : {}),
      });
      revision = res.revision;
      for (const kv of res.kvs) kvs.push(ownKv(kv));
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || !last) return { revision, kvs };
      startKey = `${last.key}\u0000`;
    }
  }

  /** Replace the whole state with a fresh list of the store; watches of the old state end. */
  private async fill(): Promise<void> {
    const { revision, kvs } = await this.listAll();
    this.fills++;
    this.written.clear();
    if (this.o.memo) for (const e of this.entries.values()) this.o.memo.release(e);
    this.entries = new Map();
    this.keys.clear();
    for (const m of this.index.values()) m.clear();
    for (const kv of kvs) {
      const { entry } = this.entryOf(kv);
      this.entries.set(kv.key, entry);
      this.keys.insert(kv.key);
      this.indexAdd(entry);
    }
    this.window = [];
    this.head = 0;
    this.windowHeld = 0;
    this.startRev = revision;
    this.rev = revision;
    this.stats.objects = this.entries.size;
    this.stats.windowEvents = 0;
    for (const w of this.watchers) w.end();
    this.waiters.advance(revision);
  }

  private async run(): Promise<void> {
    let backoff = 100;
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      try {
        const w = this.o.backend.watchWithProgress(this.o.root, this.rev, signal);
        this.progress = w;
        this.progressAskedForReads = 0;
        this.stats.backendWatches++;
        // Someone may be waiting already: the new stream is asked at once.
        if (this.waiters.size > 0) this.askProgress();
        try {
          for await (const item of w) {
            backoff = 100;
            if (Array.isArray(item)) this.applyBatch(item);
            else this.onProgress(item.revision);
          }
        } finally {
          this.stats.backendWatches--;
          this.progress = undefined;
        }
        if (signal.aborted) return;
      } catch (err) {
        if (signal.aborted) return;
        if (isStorageError(err, 'Compacted')) {
          // The history the cache needs is gone: start over from the store's current state.
          await this.fill().catch(() => undefined);
          continue;
        }
      }
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  /** Attribute strings repeat across objects (label values, node names, phases): keep one copy. */
  private readonly strings = new Map<string, string>();

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size >= 200_000) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  private internRecord(r: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k in r) out[this.intern(k)] = this.intern(r[k]!);
    return out;
  }

  /**
   * Asks the store for progress on behalf of waiting reads, keeping at most one such request
   * unanswered per backend watch (each read asking for its own flooded the stream, and every
   * answer costs a check below); one unanswered for a second is taken as lost and asked again.
   */
  private askProgress(): void {
    const now = Date.now();
    if (!this.progress || (this.progressAskedForReads > 0 && now - this.progressAskedForReads < 1000)) return;
    this.progressAskedForReads = now;
    this.progress.requestProgress();
  }

  /**
   * A progress notice from the backend watch. Where the backend cannot vouch for its notices
   * (`progressCheck`), the check runs beside the watch loop, so events keep being applied while
   * the store is asked; notices arriving meanwhile wait, the newest only, for the next check.
   */
  private onProgress(revision: number): void {
    this.progressAskedForReads = 0;
    if (!this.o.backend.progressCheck) {
      this.advance(revision);
      return;
    }
    if (revision <= this.rev) {
      if (this.waiters.size > 0) this.askProgress();
      return;
    }
    if (this.progressChecking) {
      this.progressQueued = Math.max(this.progressQueued, revision);
      return;
    }
    this.progressChecking = true;
    void this.progressHolds(revision)
      .then((holds) => {
        if (holds) this.advance(revision);
      })
      .finally(() => {
        this.progressChecking = false;
        const queued = this.progressQueued;
        this.progressQueued = 0;
        if (queued > this.rev) this.onProgress(queued);
        // Events are still owed: ask again, for whoever is waiting.
        else if (this.waiters.size > 0) this.askProgress();
      });
  }

  /**
   * Whether a progress notice can be trusted: the backend's own check, where it has one. The
   * check holds when nothing under the root changed in (at, revision] and the store then held as
   * many keys as the cache did at `at`; events applied meanwhile are all newer than `revision`
   * (none older exists) and advancing to it stays true.
   */
  private async progressHolds(revision: number): Promise<boolean> {
    const check = this.o.backend.progressCheck;
    if (!check) return true;
    const at = this.rev;
    const size = this.entries.size;
    const fills = this.fills;
    try {
      const { changed, keys } = await check.call(this.o.backend, this.o.root, at, revision);
      // A refill meanwhile replaced the state the check was about.
      return fills === this.fills && changed === 0 && keys === size;
    } catch {
      // unverifiable: treat as not holding
      return false;
    }
  }

  /** The entry of a stored value, and the object decoded to compute its attributes (absent if it does not decode). */
  private entryOf(kv: KeyValue): { entry: CacheEntry; object?: KubeObject } {
    const written = this.written.get(kv.key);
    if (written) this.written.delete(kv.key);
    try {
      // The store decoded these very bytes for the write's answer: its copy is this decoding.
      const object = written?.revision === kv.modRevision ? written.object : decodeWithVersion(this.o.codec, kv.value, kv.modRevision, kv.key);
      const raw = this.o.attributes(object);
      return { entry: { key: kv.key, kv, attrs: { labels: this.internRecord(raw.labels), fields: this.internRecord(raw.fields) } }, object };
    } catch {
      // An undecodable value stays in the cache: reading it reports the decode error.
      return { entry: { key: kv.key, kv, attrs: EMPTY_ATTRS } };
    }
  }

  private indexAdd(e: CacheEntry): void {
    for (const [field, values] of this.index) {
      const v = e.attrs.fields[field] ?? '';
      let set = values.get(v);
      if (!set) values.set(v, (set = new Set()));
      set.add(e.key);
    }
  }

  private indexRemove(e: CacheEntry): void {
    for (const [field, values] of this.index) {
      const v = e.attrs.fields[field] ?? '';
      const set = values.get(v);
      set?.delete(e.key);
      if (set && set.size === 0) values.delete(v);
    }
  }

  private applyBatch(events: KvEvent[]): void {
    let revision = this.rev;
    for (const ev of events) {
      const r = ev.kv.modRevision;
      if (r <= this.rev) continue; // already applied (a resumed watch)
      revision = Math.max(revision, r);
      const applied = this.apply(ev, r);
      if (!applied) continue;
      this.remember(applied);
      for (const w of this.watchers) {
        w.push(applied);
        if (w.isEnded) this.watchers.delete(w); // cut off: it holds nothing more
      }
    }
    this.advance(revision);
  }

  private apply(ev: KvEvent, revision: number): CacheEvent | undefined {
    const key = ev.kv.key;
    const prev = this.entries.get(key);
    if (ev.type === 'delete') {
      if (!prev) return undefined;
      this.o.memo?.release(prev);
      this.entries.delete(key);
      this.keys.remove(key);
      this.indexRemove(prev);
      this.stats.objects = this.entries.size;
      return { revision, key, prev, size: prev.kv.value.byteLength };
    }
    const kv = ownKv(ev.kv);
    const { entry: cur, object } = this.entryOf(kv);
    this.entries.set(key, cur);
    if (prev) this.o.memo?.release(prev);
    if (prev) this.indexRemove(prev);
    else this.keys.insert(key);
    this.indexAdd(cur);
    this.stats.objects = this.entries.size;
    // Watchers will need the event's object: the one just decoded for the attributes serves them.
    const memo = object && this.watchers.size > 0 ? { memo: { object } } : {};
    return prev ? { revision, key, cur, prev, size: kv.value.byteLength, ...memo } : { revision, key, cur, size: kv.value.byteLength, ...memo };
  }

  private remember(ev: CacheEvent): void {
    this.window.push(ev);
    this.windowHeld += ev.size;
    // Decoded objects are shared while watchers are on an event; far behind, only bytes stay.
    const old = this.window[this.window.length - 1 - MEMO_EVENTS];
    if (old && this.window.length - 1 - MEMO_EVENTS >= this.head) delete old.memo;
    const maxEvents = this.o.windowEvents ?? 10_000;
    const maxBytes = this.o.windowBytes ?? 64 * 1024 * 1024;
    while (this.window.length - this.head > 1 && (this.window.length - this.head > maxEvents || this.windowHeld > maxBytes)) {
      const old = this.window[this.head]!;
      this.window[this.head++] = undefined;
      this.windowHeld -= old.size;
      this.startRev = old.revision;
    }
    if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window = this.window.slice(this.head);
      this.head = 0;
    }
    this.stats.windowEvents = this.window.length - this.head;
  }

  private advance(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    this.waiters.advance(revision);
  }

  /**
   * Watches that asked for progress learn the cache's revision (their BOOKMARKs then carry
   * it, so a quiet watch resumes inside the window however busy the resource is). While
   * such watches are open and the resource is quiet, the store is asked for progress now
   * and then, so the revision moves with the store's.
   */
  private tellProgress(): void {
    let wanted = false;
    for (const w of this.watchers) {
      if (!w.wantsProgress) continue;
      wanted = true;
      w.progress(this.rev);
    }
    const every = 10 * (this.o.progressIntervalMs ?? 1000);
    if (wanted && Date.now() - this.progressAskedAt >= every) {
      this.progressAskedAt = Date.now();
      this.progress?.requestProgress();
    }
  }

  private sweepAdded(): void {
    // While a watch is still handing out its initial state, its entries' shared ADDED events
    // stay: a storm's slow watchers must get the objects (and encodings) the first ones got.
    if (this.initialInProgress > 0) return;
    for (const e of this.olderAdded) if (!this.recentlyAdded.has(e)) delete e.added;
    this.olderAdded = this.recentlyAdded;
    this.recentlyAdded = new Set();
  }

  // ---- freshness ----

  private timeout(): number {
    return this.o.freshnessTimeoutMs ?? 3000;
  }

  /** Waits until the cache reached `revision`; throws the FutureRevision error after the timeout. */
  async waitFor(revision: number): Promise<void> {
    await this.ready;
    if (this.rev >= revision) return;
    const waited = this.waiters.wait(this.rev, revision, this.timeout());
    this.askProgress();
    if (!(await waited)) throw futureRevisionError(revision, this.rev);
  }

  /**
   * Waits until the cache caught up with the store's current revision; false when it could
   * not in time. A read that then goes to the store counts as a fallback; the self-check,
   * which reads the store anyway, does not.
   */
  private async waitConsistent(forRead = true): Promise<boolean> {
    await this.ready;
    const current = await this.o.storeRevision();
    if (this.rev >= current) return true;
    const waited = this.waiters.wait(this.rev, current, this.timeout());
    this.askProgress();
    const ok = await waited;
    if (!ok && forRead) this.stats.fallbacks++;
    return ok;
  }

  // ---- reads ----

  /** The cached stored state of `key`, without waiting (a write's first guess). */
  peek(key: string): KeyValue | undefined {
    return this.entries.get(key)?.kv;
  }

  async get(key: string, resourceVersion: string | undefined): Promise<KubeObject> {
    return (await this.getLazy(key, resourceVersion)).object();
  }

  /** The memo of a current entry's response bytes. */
  private memoOf(e: CacheEntry): SerializedMemo | undefined {
    return this.o.memo?.of(e);
  }

  /** `get` with the object decoded only when asked for, and the entry's response bytes. */
  async getLazy(key: string, resourceVersion: string | undefined): Promise<LazyObject> {
    const rv = parseResourceVersion(resourceVersion);
    if (rv === undefined) {
      if (!(await this.waitConsistent())) {
        const obj = await this.o.inner.get(key);
        return { object: () => obj };
      }
    } else if (rv > 0) {
      await this.waitFor(rv);
    } else {
      await this.ready;
    }
    const e = this.entries.get(key);
    if (!e) throw new StorageError('KeyNotFound', `key not found: ${key}`, { key });
    const memo = this.memoOf(e);
    return { ...(memo ? { memo } : {}), object: () => this.objects.decode(e) };
  }

  async list(rawPrefix: string, o: ObjectListOptions): Promise<ObjectListResult> {
    const lazy = await this.listLazy(rawPrefix, o);
    const { count, item: _i, memo: _m, ...rest } = lazy;
    const items = new Array<KubeObject>(count);
    for (let i = 0; i < count; i++) items[i] = lazy.item(i);
    return { items, ...rest };
  }

  /** `list` with its items decoded one at a time, as asked for, and each current entry's response bytes. */
  async listLazy(rawPrefix: string, o: ObjectListOptions): Promise<LazyListResult> {
    const prefix = dirPrefix(rawPrefix);
    let at: number | undefined; // a snapshot revision; undefined: the current state
    let startKey = prefix;
    if (o.continue) {
      const pos = decodeContinue(o.continue, prefix);
      if (o.resourceVersion && o.resourceVersion !== '0') {
        throw new StorageError('InvalidObject', 'specifying resource version is not allowed when using continue');
      }
      startKey = pos.startKey;
      await this.ready;
      if (pos.revision !== undefined) {
        if (pos.revision < this.oldestSnapshot) return this.fallback(rawPrefix, o);
        await this.waitFor(pos.revision);
        at = pos.revision;
      }
    } else {
      const rv = parseResourceVersion(o.resourceVersion);
      if (o.resourceVersionMatch === 'Exact' && !rv) {
        throw new StorageError('InvalidObject', 'resourceVersionMatch "Exact" requires a non-zero resourceVersion');
      }
      const pinned = o.resourceVersionMatch === 'Exact' || (o.resourceVersionMatch !== 'NotOlderThan' && rv !== undefined && rv > 0 && o.limit !== undefined && o.limit > 0);
      if (pinned && rv) {
        // As the store answers: a revision it has not reached is an error at once.
        if (rv > this.rev) {
          const current = await this.o.storeRevision();
          if (rv > current) throw futureRevisionError(rv, current);
        }
        await this.waitFor(rv);
        if (rv < this.oldestSnapshot) return this.fallback(rawPrefix, o);
        at = rv;
      } else if (rv === undefined) {
        if (!(await this.waitConsistent())) return this.fallback(rawPrefix, o);
      } else if (rv > 0) {
        await this.waitFor(rv);
      } else {
        await this.ready;
      }
    }
    // From here on everything is synchronous: the result is one revision's state.
    return at === undefined || at >= this.rev ? this.listCurrent(prefix, startKey, o) : this.listAt(at, prefix, startKey, o);
  }

  private async fallback(prefix: string, o: ObjectListOptions): Promise<LazyListResult> {
    this.stats.fallbacks++;
    return lazyListOf(await this.o.inner.list(prefix, o));
  }

  private filterOf(o: { selection?: WatchFilter['selection']; predicate?: WatchFilter['predicate'] }): WatchFilter {
    return { ...(o.selection ? { selection: o.selection } : {}), ...(!o.selection && o.predicate ? { predicate: o.predicate } : {}) };
  }

  /** Candidate keys of the current state, from an index when the selection pins an indexed field. */
  private candidates(prefix: string, startKey: string, filter: WatchFilter): Iterable<string> {
    const exact = filter.selection?.exactFields;
    const name = exact?.['metadata.name'];
    // A name under a namespace's prefix (or a cluster-scoped root) is one key.
    if (name !== undefined && (!this.o.namespaced || prefix !== this.o.root)) {
      const key = prefix + name;
      return key >= startKey && !name.includes('/') ? [key] : [];
    }
    const ns = exact?.['metadata.namespace'];
    if (ns !== undefined && this.o.namespaced && prefix === this.o.root) prefix = `${prefix}${ns}/`;
    const end = prefixEnd(prefix);
    if (startKey < prefix) startKey = prefix;
    if (exact) {
      for (const [field, values] of this.index) {
        const want = exact[field];
        if (want === undefined) continue;
        const keys = [...(values.get(want) ?? [])].filter((k) => k >= startKey && (end === undefined || k < end));
        return keys.sort();
      }
    }
    return this.keys.range(startKey, end);
  }

  private listCurrent(prefix: string, startKey: string, o: ObjectListOptions): LazyListResult {
    const filter = this.filterOf(o);
    const state = (k: string): CacheEntry | undefined => this.entries.get(k);
    const out = this.collect(this.candidates(prefix, startKey, filter), state, filter, prefix, this.rev, o.limit);
    if (out.continue && !filter.selection && !filter.predicate) {
      out.remainingItemCount = this.keys.count(out.next!, prefixEnd(prefix));
    }
    delete out.next;
    return out;
  }

  /** A list of the state at `revision`, rebuilt by undoing the window's later events. */
  private listAt(revision: number, prefix: string, startKey: string, o: ObjectListOptions): LazyListResult {
    const filter = this.filterOf(o);
    const overlay = new Map<string, CacheEntry | null>();
    for (let i = this.window.length - 1; i >= this.head; i--) {
      const ev = this.window[i]!;
      if (ev.revision <= revision) break;
      overlay.set(ev.key, ev.prev ?? null);
    }
    const end = prefixEnd(prefix);
    const inRange = (k: string): boolean => k >= startKey && (end === undefined || k < end);
    const keys = new Set<string>(this.keys.range(startKey, end));
    for (const [k, e] of overlay) if (e && inRange(k)) keys.add(k);
    const sorted = [...keys].sort();
    const state = (k: string): CacheEntry | undefined => (overlay.has(k) ? (overlay.get(k) ?? undefined) : this.entries.get(k));
    const out = this.collect(sorted, state, filter, prefix, revision, o.limit);
    if (out.continue && !filter.selection && !filter.predicate) {
      const next = out.next!;
      out.remainingItemCount = sorted.filter((k) => k >= next && state(k) !== undefined).length;
    }
    delete out.next;
    return out;
  }

  private collect(
    keys: Iterable<string>,
    state: (k: string) => CacheEntry | undefined,
    filter: WatchFilter,
    prefix: string,
    revision: number,
    limit: number | undefined,
  ): LazyListResult & { next?: string } {
    const entries: CacheEntry[] = [];
    // Objects a predicate had to decode to select them: handed out as they are, not decoded twice.
    let decoded: (KubeObject | undefined)[] | undefined;
    const max = limit && limit > 0 ? limit : 0;
    let last: string | undefined;
    let next: string | undefined;
    for (const k of keys) {
      const e = state(k);
      if (!e) continue;
      let obj: KubeObject | undefined;
      if (filter.selection) {
        if (!filter.selection.matches(e.attrs)) continue;
      } else if (filter.predicate) {
        obj = this.objects.decode(e);
        if (!filter.predicate(obj)) continue;
      }
      if (max > 0 && entries.length >= max) {
        next = `${last!}\u0000`;
        break;
      }
      if (obj) (decoded ??= [])[entries.length] = obj;
      entries.push(e);
      last = k;
    }
    const objects = this.objects;
    const memo = this.o.memo;
    const out: LazyListResult & { next?: string } = {
      resourceVersion: String(revision),
      count: entries.length,
      item(i) {
        const held = decoded?.[i];
        if (held) {
          decoded![i] = undefined; // its caller owns it now
          return held;
        }
        return objects.decode(entries[i]!);
      },
      // Only a current entry's bytes are kept (a snapshot's older states are not).
      memo: (i) => (memo && this.entries.get(entries[i]!.key) === entries[i] ? memo.of(entries[i]!) : undefined),
    };
    if (next !== undefined) {
      out.continue = encodeContinue(next, prefix, revision);
      out.next = next;
    }
    return out;
  }

  // ---- watches ----

  async *watch(rawPrefix: string, o: ObjectWatchOptions): AsyncIterable<ObjectWatchEvent> {
    const prefix = dirPrefix(rawPrefix);
    const rv = parseResourceVersion(o.resourceVersion);
    if (rv) await this.waitFor(rv);
    else await this.ready;
    const signal = o.signal;
    if (signal.aborted) return;
    // Synchronous from here to registration: what is replayed and what is queued meet exactly.
    if (rv && rv + 1 < this.compactedRev) throw compactedError(rv, this.compactedRev);
    if (rv && rv < this.startRev) {
      throw new StorageError('Compacted', `too old resource version: ${rv} (${this.startRev})`, { revision: rv, currentRevision: this.startRev });
    }
    const filter = this.filterOf(o);
    let initial: CacheEntry[] = [];
    let replay: CacheEvent[] = [];
    if (!rv) {
      for (const k of this.candidates(prefix, prefix, filter)) {
        const e = this.entries.get(k);
        if (e && this.objects.selects(e, filter)) initial.push(e);
      }
    } else {
      // The window holds the whole resource: replay only this watch's keys (its namespace).
      replay = this.eventsAfter(rv).filter((ev) => ev.key.startsWith(prefix));
    }
    const watcher = new CacheWatcher(prefix, filter, this.objects, this.o.watcherBudgetBytes ?? 16 * 1024 * 1024, o.progressNotify === true);
    this.watchers.add(watcher);
    const onAbort = (): void => watcher.end();
    signal.addEventListener('abort', onAbort, { once: true });
    let inInitial = initial.length > 0;
    if (inInitial) this.initialInProgress++;
    try {
      for (const e of initial) {
        if (signal.aborted) return;
        this.recentlyAdded.add(e);
        yield this.objects.addedOf(e);
      }
      initial = [];
      if (inInitial) {
        inInitial = false;
        this.initialInProgress--;
      }
      for (const ev of replay) {
        if (signal.aborted) return;
        const out = watcher.overflowed ? undefined : this.objects.eventFor(ev, filter);
        if (out) yield out;
      }
      replay = [];
      for (;;) {
        const ev = await watcher.next();
        if (!ev) return;
        yield ev;
      }
    } finally {
      if (inInitial) this.initialInProgress--;
      signal.removeEventListener('abort', onAbort);
      this.watchers.delete(watcher);
    }
  }

  /** Window events after `revision`, oldest first. */
  private eventsAfter(revision: number): CacheEvent[] {
    let lo = this.head;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.window[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.window.slice(lo) as CacheEvent[];
  }

  /** Open watches served by this cache. */
  get watcherCount(): number {
    return this.watchers.size;
  }

  // ---- self-check ----

  /**
   * Compares the cache with the store at the cache's revision: a digest of every key and
   * its modification revision on both sides (upstream's KEP-4988 consistency check).
   */
  async checkConsistency(): Promise<'match' | 'mismatch' | 'error'> {
    await this.ready;
    // Compare at a recent revision: an idle cache's own may be compacted away in the store.
    await this.waitConsistent(false).catch(() => false);
    const revision = this.rev;
    const mine = createHash('sha256');
    for (const k of this.keys.range(this.o.root, undefined)) mine.update(`${k}\u0000${this.entries.get(k)!.kv.modRevision}\n`);
    const theirs = createHash('sha256');
    let status: 'match' | 'mismatch' | 'error';
    try {
      let startKey: string | undefined;
      for (;;) {
        const res = await this.o.backend.list(this.o.root, { revision, limit: this.o.pageSize ?? 1000, ...(startKey !== undefined ? { startKey } : {}) });
        for (const kv of res.kvs) theirs.update(`${kv.key}\u0000${kv.modRevision}\n`);
        const last = res.kvs[res.kvs.length - 1];
        if (!res.more || !last) break;
        startKey = `${last.key}\u0000`;
      }
      status = mine.digest('hex') === theirs.digest('hex') ? 'match' : 'mismatch';
    } catch {
      status = 'error';
    }
    this.stats.consistency[status]++;
    return status;
  }
}
