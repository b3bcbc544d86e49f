/**
 * A live view of one cluster-scoped resource's objects (the webhook configurations, the
 * policies and their bindings), as upstream's informers keep one: a list, then a watch from
 * its resourceVersion, listed again whenever the watch ends or fails. Readers take the
 * current snapshot synchronously; `generation` changes with every change, so compiled forms
 * can be cached against it.
 */
import type { ApiCatalog } from '../../catalog.js';

/** What the view needs of an object: its name. */
export interface Named {
  metadata?: { name?: string };
}

/** The current objects of a resource, kept up to date in the background. */
export interface LiveObjects<T extends Named> {
  /** The objects, ordered by name (upstream sorts configurations by name). */
  items(): readonly T[];
  /** Increases on every change of `items()`. */
  readonly generation: number;
  /** Resolves once the first list is in (or the resource is not served). */
  ready(): Promise<void>;
  /** Whether the first list is in. */
  readonly isReady: boolean;
  /**
   * Starts listing and watching; called once the catalog holds the built-in resources, so that
   * a resource not served is told from one not installed yet.
   */
  start(): void;
  stop(): void;
}

const RETRY_MS = 200;

/** Keeps the objects of `group/version/resource` (cluster-scoped) from the catalog's store, once started. */
export function liveObjects<T extends Named>(catalog: ApiCatalog, group: string, version: string, resource: string): LiveObjects<T> {
  const byName = new Map<string, T>();
  let sorted: T[] = [];
  let generation = 0;
  let stopped = false;
  let abort = new AbortController();
  let isReady = false;
  let resolveReady: () => void = () => {};
  const firstList = new Promise<void>((resolve) => (resolveReady = resolve));
  const markReady = (): void => {
    isReady = true;
    resolveReady();
  };
  const changed = (): void => {
    sorted = [...byName.values()].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    generation++;
  };
  let wake: () => void = () => {};
  const sleep = (ms: number): Promise<void> =>
    new Promise((r) => {
      const t = setTimeout(r, ms);
      t.unref();
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  // A resource installed later (the catalog fills after start) is picked up at once.
  const unsubscribe = catalog.onChange(() => wake());

  const run = async (): Promise<void> => {
    while (!stopped) {
      const store = catalog.resource(group, version, resource);
      if (!store) {
        if (byName.size > 0) {
          byName.clear();
          changed();
        }
        markReady();
        await sleep(RETRY_MS * 5);
        continue;
      }
      try {
        const list = await store.list(undefined, {});
        byName.clear();
        for (const item of list.items) byName.set(item.metadata?.name ?? '', item as unknown as T);
        changed();
        markReady();
        abort = new AbortController();
        const events = await store.watch(undefined, { resourceVersion: list.metadata?.resourceVersion ?? '0', allowWatchBookmarks: true }, abort.signal);
        for await (const ev of events) {
          if (stopped) break;
          if (ev.type === 'ERROR') break;
          if (ev.type === 'BOOKMARK') continue;
          const name = ev.object.metadata?.name ?? '';
          if (ev.type === 'DELETED') byName.delete(name);
          else byName.set(name, ev.object as unknown as T);
          changed();
        }
      } catch {
        // The store is unreachable or the watch broke: list again shortly.
      }
      if (!stopped) await sleep(RETRY_MS);
    }
  };
  let started = false;

  return {
    start() {
      if (started || stopped) return;
      started = true;
      void run();
    },
    items: () => sorted,
    get generation() {
      return generation;
    },
    ready: () => firstList,
    get isReady() {
      return isReady;
    },
    stop() {
      stopped = true;
      unsubscribe();
      abort.abort();
      wake();
    },
  };
}

/** How long admission waits for a view's first list before refusing (upstream's WaitForReady). */
const READY_TIMEOUT_MS = 10_000;

/**
 * Waits for the views' first lists; false when they are not in within upstream's 10 s (the
 * caller then refuses with upstream's `not yet ready to handle request`).
 */
export async function viewsReady(views: readonly { isReady: boolean; ready(): Promise<void> }[]): Promise<boolean> {
  if (views.every((v) => v.isReady)) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS)));
  const ready = Promise.all(views.map((v) => v.ready())).then(() => true as const);
  try {
    return await Promise.race([ready, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
