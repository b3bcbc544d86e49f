import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStorageError } from '../../src/storage/errors.js';
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
}
