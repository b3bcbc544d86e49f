import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStorageError } from '../../src/storage/errors.js';
import { COMPACTION_MARK_KEY, startCompactor } from '../../src/storage/compactor.js';
import { createEtcdBackend } from '../../src/storage/etcd3/index.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { enc, uniquePrefix } from './util.js';
import { cachedHarness, runKvConformance, runObjectStoreConformance, type HarnessFactory } from './conformance.js';

if (!findEtcd()) {
  if (process.env.CI) {
    describe('etcd backend', () => {
      it('requires an etcd binary in CI', () => {
        throw new Error('etcd binary not found on PATH or at /usr/bin/etcd; the etcd storage tests cannot run');
      });
    });
  } else {
    console.warn('\n*** SKIPPING etcd storage tests: no etcd binary on PATH or at /usr/bin/etcd ***\n');
  }
} else {
  let etcd: EtcdInstance | undefined;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  // One etcd for the whole file; every test writes under its own key prefix.
  const make: HarnessFactory = async () => {
    const servers = [etcd!.endpoint];
    let backend: KvBackend = createEtcdBackend({ servers });
    return {
      backend,
      async reopen() {
        // Kill etcd hard and restart it: acknowledged writes must be on disk.
        await backend.close();
        await etcd!.kill9();
        await etcd!.restart();
        backend = createEtcdBackend({ servers });
        return backend;
      },
      async cleanup() {
        await backend.close();
      },
    };
  };

  runKvConformance('etcd', make);
  runObjectStoreConformance('etcd', make);
  runObjectStoreConformance('etcd, watch cache', cachedHarness(make));

  describe('etcd: connection loss', () => {
    it('a watch whose stream is lost ends with Unavailable instead of silently resubscribing', async () => {
      const backend = createEtcdBackend({ servers: [etcd!.endpoint] });
      const ac = new AbortController();
      try {
        const p = uniquePrefix('lost');
        const iter = backend.watch(p, await backend.currentRevision(), ac.signal)[Symbol.asyncIterator]();
        const first = iter.next();
        await backend.create(`${p}a`, enc('1'));
        assert.equal((await first).value?.[0]?.kv.key, `${p}a`);
        // Attach the expectation first: the rejection arrives while kill9 is awaited.
        const lost = assert.rejects(iter.next(), (e: unknown) => isStorageError(e, 'Unavailable'));
        await etcd!.kill9();
        await lost;
      } finally {
        ac.abort();
        await backend.close();
        await etcd!.restart();
      }
    });
  });

  // Last in the file: it compacts the shared etcd.
  describe('etcd: the compactor', () => {
    it('compacts at its own mark writes, never at a delete a watch opened there would miss (etcd-io/etcd#19179)', async () => {
      const backend = createEtcdBackend({ servers: [etcd!.endpoint] });
      const compactor = startCompactor(backend, { intervalMs: 3_600_000, keepRevisions: 0 });
      const ac = new AbortController();
      const markRevision = async (): Promise<number> => (await backend.get(COMPACTION_MARK_KEY)).kv!.modRevision;
      try {
        const p = uniquePrefix('compactor');
        await compactor.runOnce();
        const mark = await markRevision();
        await backend.create(`${p}a`, enc('1'));
        const gone = await backend.delete(`${p}a`);
        assert.ok(gone.ok);
        assert.equal(await backend.currentRevision(), gone.revision); // the delete is the newest revision
        assert.equal(await compactor.runOnce(), mark);
        const next = await markRevision();
        await backend.create(`${p}b`, enc('2'));
        const last = await backend.delete(`${p}b`);
        assert.ok(last.ok);
        assert.equal(await compactor.runOnce(), next);
        assert.equal(await backend.compactedRevision(), next);
        // Watched from the compaction revision on, the put and the delete both arrive.
        const seen: string[] = [];
        for await (const batch of backend.watch(p, next - 1, ac.signal)) {
          for (const ev of batch) seen.push(`${ev.type} ${ev.kv.key.slice(p.length)} ${ev.kv.modRevision}`);
          if (seen.length >= 2) break;
        }
        assert.deepEqual(seen, [`put b ${last.revision - 1}`, `delete b ${last.revision}`]);
      } finally {
        ac.abort();
        await compactor.stop();
        await backend.close();
      }
    });
  });
}
