/**
 * Consistent reads under load: many reads without resourceVersion at once all see the last
 * acknowledged write (here one made behind the cache's back, under another resource), while
 * the store is asked for its revision a few times rather than once per read, and for progress
 * once per outstanding request rather than once per read; a progress notice the backend must
 * check is checked without holding up the cache's events.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonCodec } from '../../src/storage/codec.js';
import { createWatchCache } from '../../src/storage/cache/watch-cache.js';
import type { KvBackend, ProgressWatch } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore, type KubeObject } from '../../src/storage/object-store.js';

const ROOT = '/registry/configmaps/';

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'c' }, data: { v: '1' } });

/** The memory backend, counting revision reads and progress requests, with a slow but truthful progress check. */
function instrumented(raw: KvBackend, checkMs: number) {
  const counts = { currentRevision: 0, requestProgress: 0, checks: 0 };
  const backend: KvBackend = {
    ...raw,
    currentRevision: () => (counts.currentRevision++, raw.currentRevision()),
    watchWithProgress(prefix, afterRevision, signal): ProgressWatch {
      const w = raw.watchWithProgress(prefix, afterRevision, signal);
      return {
        [Symbol.asyncIterator]: () => w[Symbol.asyncIterator](),
        requestProgress() {
          counts.requestProgress++;
          w.requestProgress();
        },
      };
    },
    async progressCheck(prefix, afterRevision, revision) {
      counts.checks++;
      await new Promise((r) => setTimeout(r, checkMs));
      const { kvs } = await raw.list(prefix, { revision });
      return { changed: kvs.filter((kv) => kv.modRevision > afterRevision).length, keys: kvs.length };
    },
  };
  return { backend, counts };
}

describe('consistent reads under load', () => {
  it('fifty reads at once see a write behind the cache, with a few revision reads and progress requests', async () => {
    const raw = createMemoryBackend();
    const { backend, counts } = instrumented(raw, 20);
    const inner = createObjectStore(backend);
    const cache = createWatchCache({ backend, inner, codec: jsonCodec(), freshnessTimeoutMs: 3000 });
    const store = cache.forResource({
      root: ROOT,
      group: '',
      resource: 'configmaps',
      namespaced: true,
      attributes: (o) => ({ labels: o.metadata?.labels ?? {}, fields: {} }),
    });
    await cache.whenReady();
    try {
      const a = await store.create(`${ROOT}c/a`, cm('a'));
      for (let round = 0; round < 3; round++) {
        // Another server's write to another resource: the store's revision moves, this root stays quiet.
        const written = await raw.create(`/registry/secrets/c/s${round}`, new TextEncoder().encode('{}'));
        const before = { ...counts };
        const lists = await Promise.all(Array.from({ length: 50 }, () => store.list(`${ROOT}c/`, {})));
        for (const l of lists) {
          assert.ok(Number(l.resourceVersion) >= written, `list at ${l.resourceVersion}, written at ${written}`);
          assert.deepEqual(l.items, [a]);
        }
        const revisionReads = counts.currentRevision - before.currentRevision;
        const progressRequests = counts.requestProgress - before.requestProgress;
        assert.ok(revisionReads >= 1 && revisionReads <= 5, `revision reads: ${revisionReads}`);
        assert.ok(progressRequests >= 1 && progressRequests <= 2, `progress requests: ${progressRequests}`);
      }
      assert.equal(cache.stats()[0]!.fallbacks, 0, 'every read was answered by the cache');
    } finally {
      cache.stop();
    }
  });

  it('keeps applying events while a progress notice is being checked', async () => {
    const raw = createMemoryBackend();
    // A check far slower than the writes below: were it in the watch loop, they would wait for it.
    const { backend } = instrumented(raw, 1500);
    const inner = createObjectStore(backend);
    const cache = createWatchCache({ backend, inner, codec: jsonCodec(), freshnessTimeoutMs: 3000 });
    const store = cache.forResource({ root: ROOT, group: '', resource: 'configmaps', namespaced: true, attributes: () => ({ labels: {}, fields: {} }) });
    await cache.whenReady();
    try {
      await raw.create(`/registry/secrets/c/s`, new TextEncoder().encode('{}'));
      // A read that needs progress: its notice goes to the slow check.
      const waiting = store.list(`${ROOT}c/`, {});
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      const created = await store.create(`${ROOT}c/b`, cm('b'));
      const got = await store.get(`${ROOT}c/b`);
      assert.equal(got.metadata!.resourceVersion, created.metadata!.resourceVersion);
      assert.ok(Date.now() - t0 < 1000, `the event waited ${Date.now() - t0} ms behind the check`);
      const l = await waiting;
      assert.ok(Number(l.resourceVersion) >= 2);
    } finally {
      cache.stop();
    }
  });
});
