/**
 * The watch cache's own promises, on the memory backend and on a real etcd: watches inside
 * the window are served from memory (no backend call), older ones are 410, reads without a
 * resourceVersion see every acknowledged write (also one made by another client of the same
 * etcd), pages of a list come from one snapshot, many watchers share one backend watch, a
 * watcher that stops reading is cut off at its byte budget and resumes without a gap, and
 * the self-check finds no divergence after a run of writes, deletes and compactions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonCodec } from '../../src/storage/codec.js';
import { createWatchCache, type WatchCache, type WatchCacheTuning } from '../../src/storage/cache/watch-cache.js';
import { createEtcdBackend } from '../../src/storage/etcd3/index.js';
import { isStorageError } from '../../src/storage/errors.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { createObjectStore, type KubeObject, type ObjectStore, type ObjectWatchEvent } from '../../src/storage/object-store.js';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';

const ROOT = '/registry/configmaps/';

/** Counts every read-side backend call. */
function counting(backend: KvBackend): { backend: KvBackend; calls: Record<string, number> } {
  const calls: Record<string, number> = { get: 0, list: 0, watch: 0, watchWithProgress: 0 };
  return {
    calls,
    backend: {
      ...backend,
      get: (...a) => (calls.get!++, backend.get(...a)),
      list: (...a) => (calls.list!++, backend.list(...a)),
      watch: (...a) => (calls.watch!++, backend.watch(...a)),
      watchWithProgress: (...a) => (calls.watchWithProgress!++, backend.watchWithProgress(...a)),
    },
  };
}

interface Rig {
  raw: KvBackend;
  calls: Record<string, number>;
  cache: WatchCache;
  store: ObjectStore;
  /** Compactions go through here so the cache knows of them. */
  backend: KvBackend;
  close(): Promise<void>;
}

async function rig(raw: KvBackend, tuning: WatchCacheTuning = {}): Promise<Rig> {
  const { backend: counted, calls } = counting(raw);
  const inner = createObjectStore(counted);
  const cache = createWatchCache({ backend: counted, inner, codec: jsonCodec(), freshnessTimeoutMs: 1000, ...tuning });
  const store = cache.forResource({
    root: ROOT,
    group: '',
    resource: 'configmaps',
    namespaced: true,
    attributes: (o) => ({ labels: o.metadata?.labels ?? {}, fields: { 'metadata.name': o.metadata?.name ?? '', 'metadata.namespace': o.metadata?.namespace ?? '' } }),
  });
  await cache.whenReady();
  return {
    raw,
    calls,
    cache,
    store,
    backend: cache.observingCompaction(counted),
    async close() {
      cache.stop();
    },
  };
}

const cm = (ns: string, name: string, data: Record<string, string> = { v: '1' }, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  data,
});
const key = (ns: string, name: string): string => `${ROOT}${ns}/${name}`;
const evs = (events: ObjectWatchEvent[]): string[] => events.map((e) => `${e.type} ${e.object.metadata!.name}@${e.object.metadata!.resourceVersion}`);

async function take(iter: AsyncIterator<ObjectWatchEvent>, n: number, timeoutMs = 10_000): Promise<ObjectWatchEvent[]> {
  const out: ObjectWatchEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const r = await Promise.race([iter.next(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), Math.max(1, deadline - Date.now())))]);
    if (r === 'timeout') throw new Error(`timed out with ${out.length}/${n} events: ${evs(out).join(', ')}`);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function cacheSuite(name: string, open: () => Promise<KvBackend>, second?: () => KvBackend): void {
  describe(`watch cache (${name})`, () => {
    it('serves a watch from inside the window without a backend call, and 410s one older than the window', async () => {
      const r = await rig(await open(), { windowEvents: 5 });
      try {
        const first = await r.store.create(key('w', 'a'), cm('w', 'a'));
        const b = await r.store.create(key('w', 'b'), cm('w', 'b'));
        const a2 = await r.store.guaranteedUpdate(key('w', 'a'), (c) => ({ ...c, data: { v: '2' } }));
        await waitFor(() => r.cache.stats()[0]!.windowEvents >= 3, 'the window to hold the writes');
        const before = { ...r.calls };
        const ac = new AbortController();
        const got = await take(r.store.watch(`${ROOT}w/`, { resourceVersion: first.metadata!.resourceVersion!, signal: ac.signal })[Symbol.asyncIterator](), 2);
        ac.abort();
        assert.deepEqual(evs(got), [`ADDED b@${b.metadata!.resourceVersion}`, `MODIFIED a@${a2.metadata!.resourceVersion}`]);
        assert.deepEqual(r.calls, before, 'no backend call for a watch inside the window');
        // Six more writes push the first ones out of a five-event window.
        for (let i = 0; i < 6; i++) await r.store.create(key('w', `x${i}`), cm('w', `x${i}`));
        await waitFor(() => r.cache.stats()[0]!.windowEvents === 5, 'the window to slide');
        const err = await r.store
          .watch(`${ROOT}w/`, { resourceVersion: first.metadata!.resourceVersion!, signal: new AbortController().signal })
          [Symbol.asyncIterator]()
          .next()
          .then(() => undefined, (e: unknown) => e);
        assert.ok(isStorageError(err, 'Compacted'), String(err));
        assert.match(err.message, new RegExp(`^too old resource version: ${first.metadata!.resourceVersion} \\(\\d+\\)$`));
      } finally {
        await r.close();
      }
    });

    it('a read without resourceVersion sees every acknowledged write, also one the cache did not make', async () => {
      const r = await rig(await open());
      const other = second?.() ?? r.raw;
      try {
        for (let i = 0; i < 20; i++) {
          // Written behind the cache's back (another server on the same store).
          const rev = await other.create(key('c', `o${i}`), new TextEncoder().encode(JSON.stringify(cm('c', `o${i}`))));
          const got = await r.store.get(key('c', `o${i}`));
          assert.equal(got.metadata!.resourceVersion, String(rev));
          const list = await r.store.list(`${ROOT}c/`, {});
          assert.equal(list.items.length, i + 1);
          assert.ok(Number(list.resourceVersion) >= rev);
        }
        assert.equal(r.cache.stats()[0]!.fallbacks, 0, 'every consistent read was answered by the cache');
      } finally {
        if (other !== r.raw) await other.close();
        await r.close();
      }
    });

    it('pages of a list come from one snapshot, from memory', async () => {
      const r = await rig(await open());
      try {
        for (const n of ['a', 'b', 'c', 'd', 'e']) await r.store.create(key('p', n), cm('p', n));
        const page1 = await r.store.list(`${ROOT}p/`, { limit: 2 });
        const lists = r.calls.list;
        await r.store.delete(key('p', 'c'));
        await r.store.create(key('p', 'bb'), cm('p', 'bb'));
        await r.store.guaranteedUpdate(key('p', 'd'), (c) => ({ ...c, data: { v: 'changed' } }));
        const page2 = await r.store.list(`${ROOT}p/`, { limit: 2, continue: page1.continue! });
        const page3 = await r.store.list(`${ROOT}p/`, { limit: 2, continue: page2.continue! });
        assert.deepEqual([...page1.items, ...page2.items, ...page3.items].map((o) => o.metadata!.name), ['a', 'b', 'c', 'd', 'e']);
        assert.deepEqual(page2.items[1]!.data, { v: '1' });
        assert.equal(page2.resourceVersion, page1.resourceVersion);
        assert.equal(page3.resourceVersion, page1.resourceVersion);
        assert.equal(page2.remainingItemCount, 1);
        assert.equal(page3.continue, undefined);
        assert.equal(r.calls.list, lists, 'continuations never read the backend');
        const exact = await r.store.list(`${ROOT}p/`, { resourceVersion: page1.resourceVersion, resourceVersionMatch: 'Exact' });
        assert.deepEqual(exact.items.map((o) => o.metadata!.name), ['a', 'b', 'c', 'd', 'e']);
        assert.equal(r.calls.list, lists, 'an exact list inside the window never reads the backend');
      } finally {
        await r.close();
      }
    });

    it('an update starts from the cached state: no read of the store when the cache is current, one failed swap when it is stale', async () => {
      const r = await rig(await open());
      try {
        await r.store.create(key('u', 'a'), cm('u', 'a'));
        await r.store.get(key('u', 'a')); // the cache holds the create
        const gets = r.calls.get;
        let runs = 0;
        const a2 = await r.store.guaranteedUpdate(key('u', 'a'), (c) => (runs++, { ...c, data: { v: '2' } }));
        assert.equal(r.calls.get, gets, 'no read before the compare-and-swap');
        assert.equal(runs, 1);
        // Behind the cache's back, then at once: the cached state is stale for the next update.
        const { kv } = await r.raw.get(key('u', 'a'));
        const raced = await r.raw.update(key('u', 'a'), new TextEncoder().encode(JSON.stringify(cm('u', 'a', { v: 'other' }))), kv!.modRevision);
        assert.ok(raced.ok);
        runs = 0;
        const a3 = await r.store.guaranteedUpdate(key('u', 'a'), (c) => (runs++, { ...c, data: { ...(c.data as Record<string, string>), mine: 'yes' } }));
        assert.deepEqual(a3.data, { v: 'other', mine: 'yes' });
        assert.ok(runs <= 2, `ran ${runs} times`);
        assert.ok(Number(a3.metadata!.resourceVersion) > Number(a2.metadata!.resourceVersion));
        // A precondition that fails on a stale cached state is checked against the store.
        const now = await r.store.get(key('u', 'a'));
        const ok = await r.store.guaranteedUpdate(key('u', 'a'), (c) => ({ ...c, data: { v: '4' } }), { preconditions: { resourceVersion: now.metadata!.resourceVersion! } });
        assert.deepEqual(ok.data, { v: '4' });
      } finally {
        await r.close();
      }
    });

    it('1 000 watchers share one backend watch and each gets every event once, in order', async () => {
      const r = await rig(await open());
      try {
        const from = (await r.store.list(`${ROOT}f/`, {})).resourceVersion;
        const watches = r.calls.watch! + r.calls.watchWithProgress!;
        const ac = new AbortController();
        const iters = Array.from({ length: 1000 }, () => r.store.watch(`${ROOT}f/`, { resourceVersion: from, signal: ac.signal })[Symbol.asyncIterator]());
        const writes: string[] = [];
        for (let i = 0; i < 20; i++) {
          const o = i % 3 === 2 ? await r.store.delete(key('f', `o${i - 1}`)) : await r.store.create(key('f', `o${i}`), cm('f', `o${i}`));
          writes.push(`${i % 3 === 2 ? 'DELETED' : 'ADDED'} ${o.metadata!.name}@${o.metadata!.resourceVersion}`);
        }
        const all = await Promise.all(iters.map((it) => take(it, writes.length)));
        ac.abort();
        for (const got of all) assert.deepEqual(evs(got), writes);
        // Every watcher got the same event objects: one decode per event, shared.
        for (let i = 0; i < writes.length; i++) assert.ok(all.every((got) => got[i] === all[0]![i]));
        assert.equal(r.calls.watch! + r.calls.watchWithProgress!, watches, 'no backend watch per watcher');
        assert.equal(r.cache.stats()[0]!.backendWatches, 1);
      } finally {
        await r.close();
      }
    });

    it('a watcher that stops reading is cut off at its byte budget and resumes from its last resourceVersion without a gap', async () => {
      const budget = 64 * 1024;
      const r = await rig(await open(), { watcherBudgetBytes: budget });
      try {
        const from = (await r.store.list(`${ROOT}s/`, {})).resourceVersion;
        const ac = new AbortController();
        const slow = r.store.watch(`${ROOT}s/`, { resourceVersion: from, signal: ac.signal })[Symbol.asyncIterator]();
        const first = await (async () => {
          const p = slow.next();
          await r.store.create(key('s', 'o0'), cm('s', 'o0', { v: 'x'.repeat(4096) }));
          return (await p).value as ObjectWatchEvent;
        })();
        const written = [first.object.metadata!.resourceVersion!];
        // 40 events of ~4 KiB: more than the 64 KiB budget while nobody reads.
        for (let i = 1; i <= 40; i++) written.push((await r.store.create(key('s', `o${i}`), cm('s', `o${i}`, { v: 'x'.repeat(4096) }))).metadata!.resourceVersion!);
        await waitFor(() => r.cache.stats()[0]!.watchers === 0, 'the slow watcher to be cut off');
        const rest = await take(slow, 100, 2000);
        assert.deepEqual(rest, [], 'the cut-off watcher ends without its queued events');
        const resumed = r.store.watch(`${ROOT}s/`, { resourceVersion: first.object.metadata!.resourceVersion!, signal: ac.signal })[Symbol.asyncIterator]();
        const replay = await take(resumed, 40);
        ac.abort();
        assert.deepEqual(replay.map((e) => e.object.metadata!.resourceVersion), written.slice(1));
      } finally {
        await r.close();
      }
    });

    it('the self-check finds no divergence after concurrent writes, deletes and compactions', async () => {
      const r = await rig(await open());
      try {
        const stop = Date.now() + 3000;
        const worker = async (w: number): Promise<void> => {
          for (let i = 0; Date.now() < stop; i++) {
            const k = key('chaos', `w${w}-${i % 7}`);
            try {
              if (i % 5 === 4) await r.store.delete(k);
              else await r.store.guaranteedUpdate(k, (c) => ({ ...c, data: { i: String(i) } }));
            } catch (err) {
              if (!isStorageError(err, 'KeyNotFound')) throw err;
              await r.store.create(k, cm('chaos', `w${w}-${i % 7}`)).catch((e: unknown) => {
                if (!isStorageError(e, 'KeyExists')) throw e;
              });
            }
          }
        };
        const compactions = (async () => {
          while (Date.now() < stop) {
            await new Promise((res) => setTimeout(res, 300));
            await r.backend.compact(await r.raw.currentRevision());
          }
        })();
        await Promise.all([...Array.from({ length: 8 }, (_, w) => worker(w)), compactions]);
        await r.store.list(`${ROOT}chaos/`, {}); // caught up
        await r.cache.checkConsistency();
        const { consistency } = r.cache.stats()[0]!;
        assert.deepEqual(consistency, { match: 1, mismatch: 0, error: 0 });
        const cached = await r.store.list(`${ROOT}chaos/`, {});
        const stored = await createObjectStore(r.raw).list(`${ROOT}chaos/`, {});
        assert.deepEqual(cached.items, stored.items);
      } finally {
        await r.close();
      }
    });
  });
}

cacheSuite('memory backend', async () => createMemoryBackend());

if (findEtcd()) {
  let etcd: EtcdInstance | undefined;
  const clients: KvBackend[] = [];
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await etcd?.stop();
  });
  let n = 0;
  const open = async (): Promise<KvBackend> => {
    // Each case gets its own key space: a fresh etcd prefix is not possible, so wipe it.
    const c = createEtcdBackend({ servers: [etcd!.endpoint] });
    clients.push(c);
    n++;
    for (;;) {
      const page = await c.list(ROOT, { limit: 1000 });
      if (page.kvs.length === 0) break;
      for (const kv of page.kvs) await c.delete(kv.key);
    }
    return c;
  };
  cacheSuite('etcd', open, () => createEtcdBackend({ servers: [etcd!.endpoint] }));
  void n;
} else if (process.env.CI) {
  describe('watch cache (etcd)', () => {
    it('requires an etcd binary in CI', () => {
      throw new Error('etcd binary not found');
    });
  });
}
