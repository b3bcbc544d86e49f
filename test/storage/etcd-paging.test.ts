/**
 * etcd range reads are paged inside the backend: no etcd response exceeds the client's message
 * limit whatever the collection's size, pages share one revision, and a failed call trips no
 * breaker that would fail unrelated calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStorageError } from '../../src/storage/errors.js';
import { createEtcdBackend } from '../../src/storage/etcd3/index.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { uniquePrefix } from './util.js';

const KEYS = 200;
const VALUE_BYTES = 8 * 1024;

function value(i: number): Uint8Array {
  return new Uint8Array(VALUE_BYTES).fill(65 + (i % 26));
}

const name = (i: number) => `k-${String(i).padStart(4, '0')}`;

describe('etcd range paging', { skip: findEtcd() ? false : 'no etcd binary' }, () => {
  let etcd: EtcdInstance;
  let writer: KvBackend;
  let prefix: string;
  before(async () => {
    etcd = await startEtcd();
    writer = createEtcdBackend({ servers: [etcd.endpoint] });
    prefix = uniquePrefix('paging');
    for (let i = 0; i < KEYS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, KEYS - i) }, (_, j) => writer.create(`${prefix}${name(i + j)}`, value(i + j))));
    }
    await writer.create('/registry/small/one', new Uint8Array([1]));
  });
  after(async () => {
    await writer?.close();
    await etcd?.stop();
  });

  it('a range larger than the client receive limit is read whole, in pages halved until they fit', async () => {
    // 256 KiB receive limit: the first page (1000 keys, 1.6 MB here) is refused and halved.
    const small = createEtcdBackend({ servers: [etcd.endpoint], client: { grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 } } });
    try {
      const all = await small.list(prefix);
      assert.equal(all.kvs.length, KEYS);
      assert.equal(all.count, KEYS);
      assert.equal(all.more, false);
      assert.deepEqual(all.kvs.map((kv) => kv.key), Array.from({ length: KEYS }, (_, i) => `${prefix}${name(i)}`));
      for (const [i, kv] of all.kvs.entries()) assert.deepEqual(kv.value, value(i));

      const some = await small.list(prefix, { limit: 150, startKey: `${prefix}${name(10)}` });
      assert.equal(some.kvs.length, 150);
      assert.equal(some.kvs[0]!.key, `${prefix}${name(10)}`);
      assert.equal(some.kvs[149]!.key, `${prefix}${name(159)}`);
      assert.equal(some.more, true);
      assert.equal(some.count, KEYS - 10);
    } finally {
      await small.close();
    }
  });

  it('every page reads at the first page’s revision', async () => {
    const paged = createEtcdBackend({ servers: [etcd.endpoint], rangePage: { keys: 7, bytes: 64 * 1024 } });
    try {
      const before = await paged.currentRevision();
      const listing = paged.list(prefix);
      // Writes land while the pages are read; none may show up in the result.
      const later = `${prefix}${name(KEYS + 1)}`;
      const write = (async () => {
        await writer.create(later, value(1));
        await writer.delete(`${prefix}${name(KEYS - 1)}`);
      })();
      const res = await listing;
      await write;
      assert.ok(res.revision >= before);
      if (res.revision === before) {
        assert.equal(res.kvs.length, KEYS);
        assert.equal(res.kvs[KEYS - 1]!.key, `${prefix}${name(KEYS - 1)}`);
        assert.ok(!res.kvs.some((kv) => kv.key === later));
      }
      for (const kv of res.kvs) assert.ok(kv.modRevision <= res.revision);
      // And a read pinned to the old revision still sees the old state, paged the same way.
      const old = await paged.list(prefix, { revision: before });
      assert.equal(old.revision, before);
      assert.equal(old.kvs.length, KEYS);
      assert.equal(old.count, KEYS);
      assert.ok(!old.kvs.some((kv) => kv.key === later));
    } finally {
      await writer.create(`${prefix}${name(KEYS - 1)}`, value(KEYS - 1));
      await writer.delete(`${prefix}${name(KEYS + 1)}`);
      await paged.close();
    }
  });

  it('a progress notice never runs ahead of the events it vouches for, even while writes stream in', async () => {
    const watcher = createEtcdBackend({ servers: [etcd.endpoint] });
    const ac = new AbortController();
    const p = uniquePrefix('progress');
    try {
      const start = await watcher.currentRevision();
      const w = watcher.watchWithProgress(p, start, ac.signal);
      const WRITES = 1500;
      const seen = new Set<number>();
      let highest = start;
      let notices = 0;
      const violations: string[] = [];
      let done!: () => void;
      const allSeen = new Promise<void>((r) => (done = r));
      const reader = (async () => {
        for await (const item of w) {
          if (Array.isArray(item)) {
            for (const ev of item) {
              if (ev.kv.modRevision <= highest) violations.push(`event at ${ev.kv.modRevision} after progress ${highest}`);
              seen.add(ev.kv.modRevision);
            }
            if (seen.size >= WRITES) done();
          } else {
            notices++;
            highest = Math.max(highest, item.revision);
          }
        }
      })();
      // Ask for progress all along while the writes land.
      const asker = setInterval(() => w.requestProgress(), 2);
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (;;) {
            const i = next++;
            if (i >= WRITES) return;
            await writer.create(`${p}${name(i)}`, value(i));
          }
        }),
      );
      await allSeen;
      clearInterval(asker);
      // Once every event is in, a notice at the current revision comes.
      const current = await watcher.currentRevision();
      for (let i = 0; i < 100 && highest < current; i++) {
        w.requestProgress();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(violations, []);
      assert.equal(seen.size, WRITES);
      assert.ok(notices > 0);
      assert.ok(highest >= current, `progress reached ${highest}, current ${current}`);
      ac.abort();
      await reader.catch(() => undefined);
    } finally {
      ac.abort();
      await watcher.close();
    }
  });

  it('calls that fail do not open a circuit breaker for the calls after them', async () => {
    // 1 KiB receive limit: even one 8 KiB value cannot be received, so every read of the prefix fails.
    const tiny = createEtcdBackend({ servers: [etcd.endpoint], client: { grpcOptions: { 'grpc.max_receive_message_length': 1024 } } });
    try {
      for (let i = 0; i < 5; i++) {
        await assert.rejects(tiny.list(prefix), (e: unknown) => isStorageError(e, 'Internal') && /RESOURCE_EXHAUSTED/.test(e.message));
      }
      const { kv } = await tiny.get('/registry/small/one');
      assert.deepEqual(kv?.value, new Uint8Array([1]));
      assert.equal((await tiny.list('/registry/small/')).kvs.length, 1);
    } finally {
      await tiny.close();
    }
  });
});
