/**
 * An informer, as client-go's: lists (every page), then watches from the list's
 * resourceVersion with bookmarks, keeping a cache and calling handlers in the order the
 * server sent the changes. A watch that ends is resumed from the last revision seen (after a
 * server restart, too); a revision the server no longer has (`Expired`, 410) makes it re-list
 * and reconcile the cache, reporting what changed meanwhile as adds, updates and deletes.
 */
import { isExpired, StatusError } from './errors.js';
import { sleep } from './sleep.js';
import { Indexer, keyOf, type IndexFunc, type Meta } from './indexer.js';
import { lister, type Lister } from './lister.js';
import type { ResourceClient } from './resource-client.js';

export interface EventHandler<T> {
  /** A new object; `initialList` while the first list fills the cache. */
  onAdd?(obj: T, initialList: boolean): void;
  /** A changed object, or (on resync) the same object twice. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** A removed object: its last state known. */
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Calls onUpdate(obj, obj) for every cached object this often; 0 (default) never. */
  resyncPeriodMs?: number;
  /** Called with errors the informer recovers from (a failed watch, a handler that threw). */
  onError?(err: unknown): void;
}

type AnyClient<T extends Meta> = ResourceClient<T & { metadata?: object }, { items: Array<T & { metadata?: object }>; metadata?: { resourceVersion?: string } }>;

export class Informer<T extends Meta> {
  readonly store = new Indexer<T>();
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private lastResourceVersion = '';
  private running = false;

  constructor(
    readonly client: AnyClient<T>,
    readonly options: InformerOptions = {},
  ) {}

  /** Adds handlers; objects already cached are delivered to them as adds, as client-go does. */
  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.store.list()) this.safely(() => handler.onAdd?.(obj, true));
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.store.addIndexers(indexers);
  }

  lister(): Lister<T> {
    return lister(this.store);
  }

  /** True once the first list is in the cache. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion of the last list, watch event or bookmark. */
  lastSyncResourceVersion(): string {
    return this.lastResourceVersion;
  }

  /** Resolves once synced, or rejects when `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Starts in the background (once); stops when `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.running) return;
    void this.run(signal);
  }

  /** Lists and watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('informer already running');
    this.running = true;
    const resync = this.options.resyncPeriodMs ? setInterval(() => this.resync(), this.options.resyncPeriodMs) : undefined;
    let relist = true;
    let backoffMs = 100;
    try {
      while (!signal.aborted) {
        try {
          if (relist) {
            await this.relist(signal);
            relist = false;
          }
          await this.watch(signal);
          backoffMs = 100;
        } catch (err) {
          if (signal.aborted) break;
          if (isExpired(err)) {
            relist = true;
            continue;
          }
          this.options.onError?.(err);
          await sleep(backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, 10_000);
        }
      }
    } finally {
      if (resync) clearInterval(resync);
      this.running = false;
    }
  }

  private selectors() {
    const { namespace, labelSelector, fieldSelector } = this.options;
    return { namespace: namespace ?? this.client.namespace, labelSelector, fieldSelector };
  }

  /** Lists everything and reconciles the cache with it. */
  private async relist(signal: AbortSignal): Promise<void> {
    const list = await this.client.list({ ...this.selectors(), signal, timeoutMs: 120_000 });
    const seen = new Set<string>();
    const initial = !this.synced;
    for (const obj of list.items as T[]) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.get(key);
      if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion && old !== undefined) continue;
      this.store.upsert(obj);
      this.dispatch(old === undefined ? { add: obj, initial } : { old, cur: obj });
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.store.remove(key) as T;
      this.dispatch({ deleted: gone });
    }
    this.lastResourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** One watch from the last revision; returns when the server ends it. */
  private async watch(signal: AbortSignal): Promise<void> {
    // A random timeout spreads the re-watches of many informers, as client-go's reflector does.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const stream = this.client.watch({ ...this.selectors(), resourceVersion: this.lastResourceVersion, allowWatchBookmarks: true, timeoutSeconds, signal });
    for await (const ev of stream) {
      if (ev.type === 'ERROR') throw new StatusError(ev.status ?? {}, 0);
      const obj = ev.object as T | undefined;
      if (!obj) continue;
      const rv = obj.metadata?.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.lastResourceVersion = rv;
        continue;
      }
      const key = keyOf(obj);
      if (ev.type === 'DELETED') {
        const old = this.store.remove(key);
        this.dispatch({ deleted: obj ?? old });
      } else {
        const old = this.store.upsert(obj);
        this.dispatch(old === undefined ? { add: obj, initial: false } : { old, cur: obj });
      }
      if (rv) this.lastResourceVersion = rv;
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.list()) this.dispatch({ old: obj, cur: obj });
  }

  private dispatch(change: { add: T; initial: boolean } | { old: T; cur: T } | { deleted: T }): void {
    for (const h of this.handlers) {
      this.safely(() => {
        if ('add' in change) h.onAdd?.(change.add, change.initial);
        else if ('cur' in change) h.onUpdate?.(change.old, change.cur);
        else h.onDelete?.(change.deleted);
      });
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
