/**
 * The watch cache's figures on /metrics: open backend watches per resource (one while a
 * cache follows the store), the self-check's outcomes (upstream's
 * `apiserver_storage_consistency_checks_total`), cached objects, window events, watchers
 * reads handed to the store, and the shared memo of encoded responses.
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
  // The shared memo of response bytes (one for every resource): its budget, what it holds, its use.
  const memoGauge = (name: string, help: string, value: (m: NonNullable<ReturnType<WatchCache['memoStats']>>) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const m = cache.memoStats();
        this.set(m ? value(m) : 0);
      },
    });
  };
  memoGauge('apiserver_watch_cache_serialized_budget_bytes', 'Bytes the watch cache may keep of encoded responses (GETs, list items), all resources together.', (m) => m.budgetBytes);
  memoGauge('apiserver_watch_cache_serialized_bytes', 'Bytes of encoded responses the watch cache keeps now.', (m) => m.heldBytes);
  memoGauge('apiserver_watch_cache_serialized_objects', 'Cached objects with encoded responses kept.', (m) => m.slots);
  memoGauge('apiserver_watch_cache_serialized_hits', 'Responses (GETs, list items) written from kept bytes.', (m) => m.hits);
  memoGauge('apiserver_watch_cache_serialized_misses', 'Responses (GETs, list items) encoded because no bytes were kept.', (m) => m.misses);
  memoGauge('apiserver_watch_cache_serialized_evictions', 'Objects whose kept bytes were dropped for the budget.', (m) => m.evictions);
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
