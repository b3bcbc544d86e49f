/**
 * A write through the cached store is decoded once: the store's decoding of the written bytes
 * (a copy of it) becomes the cache's entry and the watchers' event object, so the event does
 * not decode the same bytes again; what the writer then does to its answer reaches neither.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonCodec, type Codec } from '../../src/storage/codec.js';
import { createWatchCache } from '../../src/storage/cache/watch-cache.js';
import type { KvBackend, ProgressWatch } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore, type KubeObject, type ObjectWatchEvent } from '../../src/storage/object-store.js';

const ROOT = '/registry/configmaps/';

describe('writes decoded once for the cache', () => {
  it('creates and updates reach the cache and its watchers without a second decoding, unaffected by the answer', async () => {
    const json = jsonCodec();
    let decodes = 0;
    const codec: Codec = { encode: json.encode, decode: (b) => (decodes++, json.decode(b)) };
    const raw = createMemoryBackend();
    // Events reach the cache a moment after the write is answered, as etcd's watch stream does.
    const backend: KvBackend = {
      ...raw,
      watchWithProgress(prefix, after, signal): ProgressWatch {
        const w = raw.watchWithProgress(prefix, after, signal);
        return {
          requestProgress: () => w.requestProgress(),
          async *[Symbol.asyncIterator]() {
            for await (const item of w) {
              await new Promise((r) => setTimeout(r, 10));
              yield item;
            }
          },
        };
      },
    };
    const cache = createWatchCache({ backend, inner: createObjectStore(backend, { codec }), codec, freshnessTimeoutMs: 3000 });
    const store = cache.forResource({ root: ROOT, group: '', resource: 'configmaps', namespaced: true, attributes: (o) => ({ labels: o.metadata?.labels ?? {}, fields: {} }) });
    await cache.whenReady();
    const ac = new AbortController();
    try {
      const start = await store.list(`${ROOT}d/`, {});
      const events = store.watch(`${ROOT}d/`, { resourceVersion: start.resourceVersion!, signal: ac.signal })[Symbol.asyncIterator]();
      const before = decodes;
      const created = await store.create(`${ROOT}d/a`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd', labels: { l: '1' } }, data: { v: '1' } } as KubeObject);
      // The writer changes its answer at once: the cache holds the stored state, not this.
      (created as { data: Record<string, string> }).data.v = 'changed by the caller';
      const added = (await events.next()).value as ObjectWatchEvent;
      assert.equal(decodes - before, 1, 'the store decoded the written bytes once; the cache took a copy');
      assert.equal(added.type, 'ADDED');
      assert.deepEqual((added.object as { data?: unknown }).data, { v: '1' });
      assert.equal(added.object.metadata!.resourceVersion, created.metadata!.resourceVersion);
      const updated = await store.guaranteedUpdate(`${ROOT}d/a`, async (cur) => ({ ...cur, data: { v: '2' } }));
      const modified = (await events.next()).value as ObjectWatchEvent;
      // The update decoded the current state and its written bytes; the event, nothing.
      assert.equal(decodes - before, 3);
      assert.equal(modified.type, 'MODIFIED');
      assert.deepEqual((modified.object as { data?: unknown }).data, { v: '2' });
      assert.equal(modified.object.metadata!.resourceVersion, updated.metadata!.resourceVersion);
      const got = await store.get(`${ROOT}d/a`);
      assert.deepEqual(got, { ...updated });
      const sel = await store.list(`${ROOT}d/`, { predicate: (o) => o.metadata?.labels?.l === '1' });
      assert.equal(sel.items.length, 1);
    } finally {
      ac.abort();
      cache.stop();
    }
  });
});
