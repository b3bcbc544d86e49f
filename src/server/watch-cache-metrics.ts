/**
 * The watch cache's figures on /metrics: open backend watches per resource (one while a
 * cache follows the store), the self-check's outcomes (upstream's
 * `apiserver_storage_consistency_checks_total`), cached objects, window events, watchers
 * and reads handed to the store.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WatchCache } from '../storage/cache/watch-cache.js';

export function registerWatchCacheMetrics(registry: Registry, cache: WatchCache): void {
  const labelNames = ['group', 'resource'] as const;
  const gauge = (name: string, help: string, value: (s: ReturnType<WatchCache['stats']>[number]) => number): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of cache.stats()) this.set({ group: s.group, resource: s.resource }, value(s));
      },
    });
  };
  gauge('apiserver_storage_backend_watches', 'Open storage watches, per resource (the watch cache holds one per resource).', (s) => s.backendWatches);
  gauge('apiserver_watch_cache_objects', 'Objects held by the watch cache, per resource.', (s) => s.objects);
  gauge('apiserver_watch_cache_window_events', 'Events in the watch cache window, per resource.', (s) => s.windowEvents);
  gauge('apiserver_watch_cache_watchers', 'Watches served by the watch cache, per resource.', (s) => s.watchers);
  gauge('apiserver_watch_cache_fallback_reads', 'Reads the watch cache handed to the store (too old, or not caught up in time).', (s) => s.fallbacks);
  new Counter({
    name: 'apiserver_storage_consistency_checks_total',
    help: 'Outcomes of the periodic comparison of the watch cache with the store (digest of keys and revisions).',
    labelNames: ['group', 'resource', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of cache.stats()) {
        for (const status of ['match', 'mismatch', 'error'] as const) {
          this.inc({ group: s.group, resource: s.resource, status }, s.consistency[status]);
        }
      }
    },
  });
}
