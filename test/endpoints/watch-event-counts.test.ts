/**
 * The per-watcher watch metrics read on /metrics exactly as prom-client's own Counter and
 * Histogram would show the same events: `apiserver_watch_events_total` and
 * `apiserver_watch_events_sizes` per group, version and resource.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { WatchEventCounts } from '../../src/endpoints/watch-event-counts.js';

const configMaps = { group: '', version: 'v1', resource: 'configmaps' };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };
const sent: Array<[typeof configMaps, number]> = [
  [configMaps, 10],
  [configMaps, 1024],
  [configMaps, 1025],
  [deployments, 70_000],
  [configMaps, 200_000],
  [{ ...configMaps }, 5000], // another object naming the same resource
];

/** What prom-client's own metrics show for `events`. */
async function reference(events: Array<[typeof configMaps, number]>): Promise<string> {
  const registry = new Registry();
  const labelNames = ['group', 'version', 'resource'] as const;
  const total = new Counter({ name: 'apiserver_watch_events_total', help: 'Number of events sent in watch clients', labelNames, registers: [registry] });
  const sizes = new Histogram({
    name: 'apiserver_watch_events_sizes',
    help: 'Watch event size distribution in bytes',
    labelNames,
    buckets: [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072],
    registers: [registry],
  });
  for (const [r, size] of events) {
    total.labels(r).inc();
    sizes.labels(r).observe(size);
  }
  return registry.metrics();
}

test('watch event counts and sizes read as prom-client shows them', async () => {
  const registry = new Registry();
  const counts = new WatchEventCounts(registry);
  for (const [r, size] of sent) counts.sent(r, size);
  assert.equal(await registry.metrics(), await reference(sent));
  // Counted on after a read: totals keep growing, nothing counted twice.
  counts.sent(deployments, 3000);
  assert.equal(await registry.metrics(), await reference([...sent, [deployments, 3000]]));
});

test('nothing is shown before a watcher was sent an event, and a reset starts again', async () => {
  const registry = new Registry();
  const counts = new WatchEventCounts(registry);
  const empty = await registry.metrics();
  assert.doesNotMatch(empty, /apiserver_watch_events_total\{/);
  assert.doesNotMatch(empty, /apiserver_watch_events_sizes_bucket\{/);
  counts.sent(configMaps, 100);
  assert.match(await registry.metrics(), /apiserver_watch_events_sizes_count\{group="",version="v1",resource="configmaps"\} 1\n/);
  registry.resetMetrics();
  counts.sent(configMaps, 100);
  const text = await registry.metrics();
  assert.match(text, /apiserver_watch_events_sizes_count\{group="",version="v1",resource="configmaps"\} 1\n/);
  assert.match(text, /apiserver_watch_events_total\{group="",version="v1",resource="configmaps"\} 1\n/);
});
