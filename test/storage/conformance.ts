/**
 * One behavioural suite for every KvBackend and for the ObjectStore on top of
 * it. Each backend test file calls these with a harness factory.
 */
import assert from 'node:assert/strict';
import { describe as suite, it } from 'node:test';
import { StorageError, isStorageError } from '../../src/storage/errors.js';
import type { KvBackend, KvEvent } from '../../src/storage/kv.js';
import { createObjectStore as createPlainStore, type KubeObject, type ObjectStore, type ObjectStoreOptions, type ObjectWatchEvent } from '../../src/storage/object-store.js';
import { createWatchCache, type WatchCache, type WatchCacheTuning } from '../../src/storage/cache/watch-cache.js';
import { jsonCodec } from '../../src/storage/codec.js';
import { collect, dec, describe, enc, firstError, uniquePrefix } from './util.js';

/** A backend under test. */
export interface KvHarness {
  backend: KvBackend;
  /** Close the backend and open the same storage again; undefined for non-durable backends. */
  reopen?: () => Promise<KvBackend>;
  /** Release everything (close the latest backend, remove files). */
  cleanup(): Promise<void>;
}

/** Creates a fresh harness per test. */
export type HarnessFactory = () => Promise<KvHarness>;

async function withHarness(make: HarnessFactory, fn: (h: KvHarness) => Promise<void>): Promise<void> {
  const h = await make();
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

function assertCode(err: unknown, code: StorageError['code']): StorageError {
  assert.ok(isStorageError(err), `expected StorageError(${code}), got ${String(err)}`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  return err;
}

async function rejectsWith(p: Promise<unknown>, code: StorageError['code']): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    return assertCode(err, code);
  }
  assert.fail(`expected StorageError(${code}), but the call succeeded`);
}

/** The KvBackend conformance suite. */
export function runKvConformance(name: string, make: HarnessFactory): void {
  suite(`${name}: KvBackend conformance`, () => {
    it('create is create-if-absent', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('create');
        const before = await backend.currentRevision();
        const rev = await backend.create(`${p}a`, enc('1'));
        assert.ok(rev > before);
        assert.equal(await backend.currentRevision(), rev);
        const err = await rejectsWith(backend.create(`${p}a`, enc('2')), 'KeyExists');
        assert.equal(err.key, `${p}a`);
        const got = await backend.get(`${p}a`);
        assert.deepEqual(got.kv && { ...got.kv, value: dec(got.kv.value) }, { key: `${p}a`, value: '1', createRevision: rev, modRevision: rev });
        assert.equal((await backend.get(`${p}missing`)).kv, undefined);
      }));

    it('update is compare-and-swap on modRevision', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('update');
        const r1 = await backend.create(`${p}a`, enc('1'));
        const u = await backend.update(`${p}a`, enc('2'), r1);
        assert.ok(u.ok);
        assert.ok(u.revision > r1);
        const stale = await backend.update(`${p}a`, enc('3'), r1);
        assert.equal(stale.ok, false);
        assert.ok(!stale.ok && stale.current);
        assert.equal(dec(stale.current.value), '2');
        assert.equal(stale.current.modRevision, u.revision);
        assert.equal(stale.current.createRevision, r1);
        assert.deepEqual(await backend.update(`${p}missing`, enc('x'), r1), { ok: false });
        const { kv } = await backend.get(`${p}a`);
        assert.equal(dec(kv!.value), '2');
      }));

    it('delete is compare-and-swap and returns the previous value', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('delete');
        const r1 = await backend.create(`${p}a`, enc('1'));
        const r2 = await backend.update(`${p}a`, enc('2'), r1);
        assert.ok(r2.ok);
        const wrong = await backend.delete(`${p}a`, r1);
        assert.ok(!wrong.ok && wrong.current?.modRevision === r2.revision);
        const d = await backend.delete(`${p}a`, r2.revision);
        assert.ok(d.ok);
        assert.ok(d.revision > r2.revision);
        assert.equal(dec(d.prev.value), '2');
        assert.equal(d.prev.modRevision, r2.revision);
        assert.equal((await backend.get(`${p}a`)).kv, undefined);
        assert.deepEqual(await backend.delete(`${p}a`), { ok: false });
        // Re-create starts a new incarnation; an unconditional delete works.
        const r3 = await backend.create(`${p}a`, enc('3'));
        assert.equal((await backend.get(`${p}a`)).kv?.createRevision, r3);
        const d2 = await backend.delete(`${p}a`);
        assert.ok(d2.ok && dec(d2.prev.value) === '3');
      }));

    it('get and list read at a revision', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('at');
        const r1 = await backend.create(`${p}a`, enc('a1'));
        const r2 = await backend.update(`${p}a`, enc('a2'), r1);
        assert.ok(r2.ok);
        const r3 = await backend.create(`${p}b`, enc('b1'));
        const d = await backend.delete(`${p}a`);
        assert.ok(d.ok);
        await backend.create(`${p.slice(0, -1)}x/other`, enc('outside')); // sibling prefix, never listed

        const g1 = await backend.get(`${p}a`, { revision: r1 });
        assert.equal(g1.revision, r1);
        assert.equal(dec(g1.kv!.value), 'a1');
        assert.equal(dec((await backend.get(`${p}a`, { revision: r2.revision })).kv!.value), 'a2');
        assert.equal((await backend.get(`${p}a`, { revision: d.revision })).kv, undefined);

        const l1 = await backend.list(p, { revision: r1 });
        assert.deepEqual(l1.kvs.map((kv) => [kv.key, dec(kv.value)]), [[`${p}a`, 'a1']]);
        assert.equal(l1.revision, r1);
        const l3 = await backend.list(p, { revision: r3 });
        assert.deepEqual(l3.kvs.map((kv) => dec(kv.value)), ['a2', 'b1']);
        assert.equal(l3.count, 2);
        const now = await backend.list(p);
        assert.deepEqual(now.kvs.map((kv) => kv.key), [`${p}b`]);
        assert.equal(now.revision, await backend.currentRevision());
        const future = (await backend.currentRevision()) + 1000;
        await rejectsWith(backend.get(`${p}a`, { revision: future }), 'FutureRevision');
        await rejectsWith(backend.list(p, { revision: future }), 'FutureRevision');
      }));

    it('list pages with limit, startKey, more and count', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('page');
        for (const k of ['e', 'a', 'c', 'b', 'd']) await backend.create(`${p}${k}`, enc(k));
        const first = await backend.list(p, { limit: 2 });
        assert.deepEqual(first.kvs.map((kv) => dec(kv.value)), ['a', 'b']);
        assert.equal(first.more, true);
        assert.equal(first.count, 5);
        const second = await backend.list(p, { limit: 2, startKey: `${p}b\u0000`, revision: first.revision });
        assert.deepEqual(second.kvs.map((kv) => dec(kv.value)), ['c', 'd']);
        assert.equal(second.count, 3);
        assert.equal(second.more, true);
        const last = await backend.list(p, { limit: 2, startKey: `${p}d\u0000`, revision: first.revision });
        assert.deepEqual(last.kvs.map((kv) => dec(kv.value)), ['e']);
        assert.equal(last.more, false);
        assert.equal(last.count, 1);
      }));

    it('watch replays from a revision with prevKv, in order', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('watch');
        const r0 = await backend.create(`${p}a`, enc('1'));
        const u = await backend.update(`${p}a`, enc('2'), r0);
        assert.ok(u.ok);
        const rb = await backend.create(`${p}b`, enc('b'));
        const d = await backend.delete(`${p}a`);
        assert.ok(d.ok);
        await backend.create(`${p.slice(0, -1)}zz/x`, enc('outside'));
        const ac = new AbortController();
        const got = await collect(backend.watch(p, r0, ac.signal), (b) => b.length >= 3);
        ac.abort();
        assert.deepEqual(describe(got), [`put ${p}a@${u.revision}`, `put ${p}b@${rb}`, `delete ${p}a@${d.revision}`]);
        const [upd, , del] = got.flat() as [KvEvent, KvEvent, KvEvent];
        assert.equal(dec(upd.prevKv!.value), '1');
        assert.equal(upd.prevKv!.modRevision, r0);
        assert.equal(dec(del.prevKv!.value), '2');
        assert.equal(del.prevKv!.modRevision, u.revision);
        assert.equal(got.flat()[1]!.prevKv, undefined);
      }));

    it('watch stays gap-free and duplicate-free across replay and live with concurrent writers', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('conc');
        const start = await backend.currentRevision();
        const writers = 20;
        const perWriter = 8;
        const acked: number[] = [];
        const write = async (w: number) => {
          let rev = await backend.create(`${p}w${w}`, enc('0'));
          acked.push(rev);
          for (let i = 1; i < perWriter; i++) {
            const r = await backend.update(`${p}w${w}`, enc(String(i)), rev);
            assert.ok(r.ok);
            rev = r.revision;
            acked.push(rev);
          }
        };
        // Half the writes happen before the watch starts (replayed), half while it runs (live).
        await Promise.all(Array.from({ length: writers / 2 }, (_, w) => write(w)));
        const ac = new AbortController();
        const watching = collect(backend.watch(p, start, ac.signal), (b) => b.flat().length >= writers * perWriter, 20_000);
        await Promise.all(Array.from({ length: writers / 2 }, (_, w) => write(w + writers / 2)));
        const got = (await watching).flat();
        ac.abort();
        const revs = got.map((e) => e.kv.modRevision);
        assert.deepEqual(revs, [...acked].sort((a, b) => a - b));
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, 'strictly increasing');
        // Per key, values arrive in write order.
        for (let w = 0; w < writers; w++) {
          const vals = got.filter((e) => e.kv.key === `${p}w${w}`).map((e) => dec(e.kv.value));
          assert.deepEqual(vals, Array.from({ length: perWriter }, (_, i) => String(i)));
        }
      }));

    it('watch ends when its signal aborts', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('abort');
        const ac = new AbortController();
        const it = backend.watch(p, await backend.currentRevision(), ac.signal)[Symbol.asyncIterator]();
        const pending = it.next();
        setTimeout(() => ac.abort(), 50);
        const r = await pending;
        assert.equal(r.done, true);
      }));

    it('compaction makes older revisions unreadable (get, list, watch)', () =>
      withHarness(make, async ({ backend }) => {
        const p = uniquePrefix('compact');
        const r1 = await backend.create(`${p}a`, enc('1'));
        const r2 = await backend.update(`${p}a`, enc('2'), r1);
        assert.ok(r2.ok);
        const r3 = await backend.update(`${p}a`, enc('3'), r2.revision);
        assert.ok(r3.ok);
        const rb = await backend.create(`${p}b`, enc('b'));
        const db = await backend.delete(`${p}b`);
        assert.ok(db.ok);
        const r4 = await backend.update(`${p}a`, enc('4'), r3.revision);
        assert.ok(r4.ok);
        await backend.compact(r3.revision);
        assert.equal(await backend.compactedRevision(), r3.revision);
        await backend.compact(r2.revision); // older than the boundary: a no-op
        assert.equal(await backend.compactedRevision(), r3.revision);

        const e1 = await rejectsWith(backend.get(`${p}a`, { revision: r1 }), 'Compacted');
        assert.equal(e1.revision, r1);
        await rejectsWith(backend.list(p, { revision: r2.revision }), 'Compacted');
        assert.equal(dec((await backend.get(`${p}a`, { revision: r3.revision })).kv!.value), '3');
        assert.deepEqual((await backend.list(p, { revision: rb })).kvs.map((kv) => dec(kv.value)), ['3', 'b']);
        assert.deepEqual((await backend.list(p)).kvs.map((kv) => dec(kv.value)), ['4']);

        const ac = new AbortController();
        const err = assertCode(await firstError(backend.watch(p, r1, ac.signal)), 'Compacted');
        assert.match(err.message, new RegExp(`${r1}.*${r3.revision}`));
        // Watching from the boundary itself still works and sees everything after it.
        const got = await collect(backend.watch(p, r3.revision, ac.signal), (b) => b.flat().length >= 3);
        ac.abort();
        assert.deepEqual(describe(got), [`put ${p}b@${rb}`, `delete ${p}b@${db.revision}`, `put ${p}a@${r4.revision}`]);
        assert.equal(dec(got.flat()[2]!.prevKv!.value), '3');
      }));

    it('acknowledged writes survive close and reopen', () =>
      withHarness(make, async (h) => {
        if (!h.reopen) return; // not a durable backend
        const p = uniquePrefix('durable');
        const r1 = await h.backend.create(`${p}a`, enc('1'));
        const r2 = await h.backend.update(`${p}a`, enc('2'), r1);
        assert.ok(r2.ok);
        const r3 = await h.backend.create(`${p}b`, enc('b'));
        const d = await h.backend.delete(`${p}b`);
        assert.ok(d.ok);
        const current = await h.backend.currentRevision();
        const again = await h.reopen();
        assert.equal(await again.currentRevision(), current);
        const { kv } = await again.get(`${p}a`);
        assert.deepEqual(kv && { ...kv, value: dec(kv.value) }, { key: `${p}a`, value: '2', createRevision: r1, modRevision: r2.revision });
        assert.equal((await again.get(`${p}b`)).kv, undefined);
        assert.equal(dec((await again.get(`${p}b`, { revision: r3 })).kv!.value), 'b');
        const next = await again.create(`${p}c`, enc('c'));
        assert.ok(next > current);
        const ac = new AbortController();
        const got = await collect(again.watch(p, r1, ac.signal), (b) => b.flat().length >= 4);
        ac.abort();
        assert.deepEqual(describe(got), [`put ${p}a@${r2.revision}`, `put ${p}b@${r3}`, `delete ${p}b@${d.revision}`, `put ${p}c@${next}`]);
      }));
  });
}

const obj = (name: string, extra: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(labels ? { labels } : {}) },
  data: { v: '1' },
  ...extra,
});

const names = (items: KubeObject[]): string[] => items.map((o) => o.metadata!.name!);
const rvOf = (o: KubeObject): number => Number(o.metadata!.resourceVersion);
const evs = (events: ObjectWatchEvent[]): string[] => events.map((e) => `${e.type} ${e.object.metadata!.name}@${e.object.metadata!.resourceVersion}`);

/** A watch cache over one harness's backend, and stores through it for any test prefix. */
interface CachedVariant {
  cache: WatchCache;
  store(o?: ObjectStoreOptions): ObjectStore;
}

/** Which variant a (wrapped) backend belongs to: the suite's stores are built over it. */
const variants = new WeakMap<KvBackend, CachedVariant>();

/** The object store the suite tests over `backend`: plain, or through the watch cache. */
function createObjectStore(backend: KvBackend, o: ObjectStoreOptions = {}): ObjectStore {
  return variants.get(backend)?.store(o) ?? createPlainStore(backend, o);
}

/** `make`, with every store of the suite going through a watch cache over the harness's backend. */
export function cachedHarness(make: HarnessFactory, tuning: WatchCacheTuning = {}): HarnessFactory {
  return async () => {
    const h = await make();
    const inner = createPlainStore(h.backend);
    const cache = createWatchCache({ backend: h.backend, inner, codec: jsonCodec(), freshnessTimeoutMs: 1000, ...tuning });
    const backend = cache.observingCompaction(h.backend);
    // Every test prefix lies under /registry/: one cache for all of them, filled before the test writes.
    const cached = cache.forResource({
      root: '/registry/',
      group: '',
      resource: 'tests',
      namespaced: false,
      attributes: (o) => ({ labels: o.metadata?.labels ?? {}, fields: { 'metadata.name': o.metadata?.name ?? '' } }),
    });
    await cache.whenReady();
    const store = (): ObjectStore => cached;
    variants.set(backend, { cache, store });
    return {
      ...h,
      backend,
      async cleanup() {
        cache.stop();
        await h.cleanup();
      },
    };
  };
}

/** The watch cache behind a harness's backend (for cache-specific cases). */
export function cacheOf(backend: KvBackend): WatchCache {
  const v = variants.get(backend);
  if (!v) throw new Error('not a cached harness');
  return v.cache;
}

/** The ObjectStore conformance suite (run over each backend). */
export function runObjectStoreConformance(name: string, make: HarnessFactory): void {
  suite(`${name}: ObjectStore conformance`, () => {
    it('create/get stamp resourceVersion and never store it', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-create');
        const created = await store.create(`${p}a`, { ...obj('a'), metadata: { ...obj('a').metadata, resourceVersion: '12345' } });
        const { kv } = await backend.get(`${p}a`);
        assert.equal(created.metadata!.resourceVersion, String(kv!.modRevision));
        const stored = JSON.parse(dec(kv!.value)) as KubeObject;
        assert.equal(stored.metadata!.resourceVersion, undefined);
        assert.deepEqual(await store.get(`${p}a`), created);
        await rejectsWith(store.create(`${p}a`, obj('a')), 'KeyExists');
        await rejectsWith(store.get(`${p}nope`), 'KeyNotFound');
        assert.equal(await store.currentResourceVersion(), String(await backend.currentRevision()));
      }));

    it('guaranteedUpdate retries on conflict, skips no-op writes, honours preconditions', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-update');
        const a = await store.create(`${p}a`, obj('a'));
        let calls = 0;
        const updated = await store.guaranteedUpdate(`${p}a`, async (cur) => {
          calls += 1;
          if (calls === 1) {
            // A concurrent writer wins the race; the loop must re-read and re-run.
            const { kv } = await backend.get(`${p}a`);
            const other = JSON.parse(dec(kv!.value)) as KubeObject;
            const r = await backend.update(`${p}a`, enc(JSON.stringify({ ...other, data: { v: 'other' } })), kv!.modRevision);
            assert.ok(r.ok);
          }
          return { ...cur, data: { ...(cur.data as Record<string, string>), mine: String(calls) } };
        });
        assert.equal(calls, 2);
        assert.deepEqual(updated.data, { v: 'other', mine: '2' });
        assert.ok(rvOf(updated) > rvOf(a));
        assert.deepEqual(await store.get(`${p}a`), updated);

        const rev = await backend.currentRevision();
        const same = await store.guaranteedUpdate(`${p}a`, (cur) => cur);
        assert.deepEqual(same, updated);
        assert.equal(await backend.currentRevision(), rev, 'no-op update must not write');

        await assert.rejects(store.guaranteedUpdate(`${p}a`, () => { throw new Error('abort'); }), /abort/);
        const c1 = await rejectsWith(store.guaranteedUpdate(`${p}a`, (cur) => cur, { preconditions: { uid: 'other' } }), 'Conflict');
        assert.match(c1.message, /UID/);
        await rejectsWith(store.guaranteedUpdate(`${p}a`, (cur) => cur, { preconditions: { resourceVersion: String(rvOf(a)) } }), 'Conflict');
        const ok = await store.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, data: { v: '3' } }), { preconditions: { uid: 'uid-a', resourceVersion: updated.metadata!.resourceVersion! } });
        assert.deepEqual(ok.data, { v: '3' });
        await rejectsWith(store.guaranteedUpdate(`${p}nope`, (cur) => cur), 'KeyNotFound');
      }));

    it('delete returns the last state at the delete revision and honours preconditions', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-delete');
        const a = await store.create(`${p}a`, obj('a'));
        await rejectsWith(store.delete(`${p}a`, { preconditions: { resourceVersion: '1' } }), 'Conflict');
        await assert.rejects(store.delete(`${p}a`, { validate: () => { throw new Error('nope'); } }), /nope/);
        const gone = await store.delete(`${p}a`, { preconditions: { uid: 'uid-a' } });
        assert.deepEqual(gone.data, a.data);
        assert.equal(gone.metadata!.resourceVersion, String(await backend.currentRevision()));
        assert.ok(rvOf(gone) > rvOf(a));
        await rejectsWith(store.get(`${p}a`), 'KeyNotFound');
        await rejectsWith(store.delete(`${p}a`), 'KeyNotFound');
      }));

    it('paginated lists stay pinned to the first page revision', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-list');
        for (const n of ['a', 'b', 'c', 'd', 'e']) await store.create(`${p}${n}`, obj(n));
        const page1 = await store.list(p, { limit: 2 });
        assert.deepEqual(names(page1.items), ['a', 'b']);
        assert.equal(page1.remainingItemCount, 3);
        assert.ok(page1.continue);
        const token = JSON.parse(Buffer.from(page1.continue, 'base64url').toString()) as Record<string, unknown>;
        assert.deepEqual(token, { v: 'meta.k8s.io/v1', rv: Number(page1.resourceVersion), start: 'b\u0000' });
        // Written mid-pagination: must not appear; an update must not show either.
        await store.create(`${p}bb`, obj('bb'));
        await store.create(`${p}f`, obj('f'));
        await store.guaranteedUpdate(`${p}d`, (cur) => ({ ...cur, data: { v: 'changed' } }));
        const page2 = await store.list(p, { limit: 2, continue: page1.continue });
        assert.deepEqual(names(page2.items), ['c', 'd']);
        assert.deepEqual(page2.items[1]!.data, { v: '1' });
        assert.equal(page2.resourceVersion, page1.resourceVersion);
        assert.equal(page2.remainingItemCount, 1);
        const page3 = await store.list(p, { limit: 2, continue: page2.continue! });
        assert.deepEqual(names(page3.items), ['e']);
        assert.equal(page3.continue, undefined);
        assert.equal(page3.remainingItemCount, undefined);
        const fresh = await store.list(p, {});
        assert.deepEqual(names(fresh.items), ['a', 'b', 'bb', 'c', 'd', 'e', 'f']);
        assert.equal(fresh.continue, undefined);
        assert.equal(fresh.resourceVersion, await store.currentResourceVersion());
        // Prefix without trailing slash is treated as a directory.
        assert.equal((await store.list(p.slice(0, -1), {})).items.length, 7);
      }));

    it('lists with a predicate fill pages and omit remainingItemCount', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-pred');
        for (let i = 0; i < 10; i++) await store.create(`${p}o${i}`, obj(`o${i}`, {}, { even: String(i % 2 === 0) }));
        const predicate = (o: KubeObject) => o.metadata?.labels?.even === 'true';
        const seen: string[] = [];
        let cont: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(p, { limit: 2, predicate, ...(cont ? { continue: cont } : {}) });
          pages += 1;
          assert.equal(page.remainingItemCount, undefined);
          if (page.continue) assert.equal(page.items.length, 2);
          seen.push(...names(page.items));
          cont = page.continue;
        } while (cont && pages < 10);
        assert.deepEqual(seen, ['o0', 'o2', 'o4', 'o6', 'o8']);
        const all = await store.list(p, { predicate });
        assert.deepEqual(names(all.items), ['o0', 'o2', 'o4', 'o6', 'o8']);
      }));

    it('lists at an exact resourceVersion; rejects bad continue tokens and future versions', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-rv');
        const a = await store.create(`${p}a`, obj('a'));
        await store.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, data: { v: '2' } }));
        const b = await store.create(`${p}b`, obj('b'));
        const exact = await store.list(p, { resourceVersion: a.metadata!.resourceVersion!, resourceVersionMatch: 'Exact' });
        assert.deepEqual(exact.items, [a]);
        assert.equal(exact.resourceVersion, a.metadata!.resourceVersion);
        const legacy = await store.list(p, { resourceVersion: a.metadata!.resourceVersion!, limit: 10 });
        assert.deepEqual(legacy.items, [a]);
        // Any state not older than b's write is allowed; it must hold b.
        const notOlder = await store.list(p, { resourceVersion: b.metadata!.resourceVersion!, resourceVersionMatch: 'NotOlderThan' });
        assert.deepEqual(names(notOlder.items), ['a', 'b']);
        const future = String((await backend.currentRevision()) + 100);
        await rejectsWith(store.list(p, { resourceVersion: future, resourceVersionMatch: 'NotOlderThan' }), 'FutureRevision');
        await rejectsWith(store.list(p, { resourceVersion: future, resourceVersionMatch: 'Exact' }), 'FutureRevision');
        for (const bad of ['garbage!', Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url'), Buffer.from('{"v":"meta.k8s.io/v1","rv":3,"start":"../x"}').toString('base64url')]) {
          const err = await rejectsWith(store.list(p, { limit: 1, continue: bad }), 'InvalidObject');
          assert.match(err.message, /continue key is not valid/);
        }
        await rejectsWith(store.list(p, { resourceVersion: 'abc' }), 'InvalidObject');
      }));

    it('watch from "0" sends synthetic ADDED, then changes', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend, { pageSize: 2 });
        const p = uniquePrefix('os-w0');
        for (const n of ['a', 'b', 'c']) await store.create(`${p}${n}`, obj(n));
        const ac = new AbortController();
        const events: ObjectWatchEvent[] = [];
        const it = store.watch(p, { resourceVersion: '0', signal: ac.signal })[Symbol.asyncIterator]();
        for (let i = 0; i < 3; i++) events.push((await it.next()).value as ObjectWatchEvent);
        const b2 = await store.guaranteedUpdate(`${p}b`, (cur) => ({ ...cur, data: { v: '2' } }));
        events.push((await it.next()).value as ObjectWatchEvent);
        ac.abort();
        await it.return?.();
        const [a, b, c] = (await store.list(p, { resourceVersion: String(rvOf(b2) - 1), resourceVersionMatch: 'Exact' })).items;
        assert.deepEqual(events.slice(0, 3), [a, b, c].map((object) => ({ type: 'ADDED', object })));
        assert.equal(evs(events)[3], `MODIFIED b@${b2.metadata!.resourceVersion}`);
        assert.deepEqual(events[3]!.object, b2);
      }));

    it('watch from a resourceVersion sends only later changes; DELETED carries the last state', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-wn');
        await store.create(`${p}a`, obj('a'));
        const from = await store.currentResourceVersion();
        const b = await store.create(`${p}b`, obj('b'));
        const a2 = await store.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, data: { v: '2' } }));
        const gone = await store.delete(`${p}a`);
        const ac = new AbortController();
        const events = await collect(store.watch(p, { resourceVersion: from, signal: ac.signal }), (e) => e.length >= 3);
        ac.abort();
        assert.deepEqual(evs(events), [`ADDED b@${b.metadata!.resourceVersion}`, `MODIFIED a@${a2.metadata!.resourceVersion}`, `DELETED a@${gone.metadata!.resourceVersion}`]);
        assert.deepEqual(events[2]!.object, gone);
        assert.deepEqual(events[2]!.object.data, { v: '2' });
      }));

    it('watch with a predicate turns transitions into ADDED/DELETED', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-wp');
        const from = await store.currentResourceVersion();
        const predicate = (o: KubeObject) => o.metadata?.labels?.app === 'web';
        const setApp = (app: string) => (cur: KubeObject): KubeObject => ({ ...cur, metadata: { ...cur.metadata, labels: { app } } });
        await store.create(`${p}x`, obj('x', {}, { app: 'db' })); // never matches: no event
        await store.create(`${p}a`, obj('a', {}, { app: 'db' }));
        const a1 = await store.guaranteedUpdate(`${p}a`, setApp('web')); // now matches → ADDED
        const a2 = await store.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, data: { v: '2' } })); // MODIFIED
        const a3 = await store.guaranteedUpdate(`${p}a`, setApp('db')); // stops matching → DELETED
        await store.delete(`${p}a`); // deleted while not matching: nothing
        const c = await store.create(`${p}c`, obj('c', {}, { app: 'web' }));
        const ac = new AbortController();
        const events = await collect(store.watch(p, { resourceVersion: from, predicate, signal: ac.signal }), (e) => e.length >= 4);
        ac.abort();
        assert.deepEqual(evs(events), [
          `ADDED a@${a1.metadata!.resourceVersion}`,
          `MODIFIED a@${a2.metadata!.resourceVersion}`,
          `DELETED a@${a3.metadata!.resourceVersion}`,
          `ADDED c@${c.metadata!.resourceVersion}`,
        ]);
        // The DELETED for "stopped matching" shows the last matching state at the new revision.
        assert.deepEqual(events[2]!.object.metadata!.labels, { app: 'web' });
      }));

    it('compaction expires continue tokens and old watches', () =>
      withHarness(make, async ({ backend }) => {
        const store = createObjectStore(backend);
        const p = uniquePrefix('os-compact');
        for (const n of ['a', 'b', 'c']) await store.create(`${p}${n}`, obj(n));
        const page1 = await store.list(p, { limit: 1 });
        const old = page1.resourceVersion;
        await store.guaranteedUpdate(`${p}a`, (cur) => ({ ...cur, data: { v: '2' } }));
        const now = await backend.currentRevision();
        await backend.compact(now);
        const e1 = await rejectsWith(store.list(p, { limit: 1, continue: page1.continue! }), 'Compacted');
        assert.match(e1.message, /continue/);
        const ac = new AbortController();
        const e2 = assertCode(await firstError(store.watch(p, { resourceVersion: String(Number(old) - 1), signal: ac.signal })), 'Compacted');
        ac.abort();
        assert.match(e2.message, new RegExp(`too old resource version: ${Number(old) - 1} \\(${now}\\)`));
        await rejectsWith(store.list(p, { resourceVersion: old, resourceVersionMatch: 'Exact' }), 'Compacted');
        assert.deepEqual(names((await store.list(p, {})).items), ['a', 'b', 'c']);
      }));
  });
}
