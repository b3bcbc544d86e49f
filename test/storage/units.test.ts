import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMPACTION_MARK_KEY, startCompactor } from '../../src/storage/compactor.js';
import { decodeContinue, encodeContinue } from '../../src/storage/continue-token.js';
import { isStorageError } from '../../src/storage/errors.js';
import { prefixEndBytes, toRevision } from '../../src/storage/etcd3/revisions.js';
import { createBackend } from '../../src/storage/factory.js';
import { prefixEnd } from '../../src/storage/kv.js';
import { createMemoryBackend } from '../../src/storage/memory/index.js';
import { enc } from './util.js';

describe('storage helpers', () => {
  it('toRevision converts etcd int64 strings and refuses values above 2^53', () => {
    assert.equal(toRevision('42'), 42);
    assert.equal(toRevision(undefined), 0);
    assert.equal(toRevision(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.throws(() => toRevision('9007199254740993'), (e: unknown) => isStorageError(e, 'Unavailable'));
  });

  it('prefix ends are exclusive upper bounds', () => {
    assert.equal(prefixEnd('/a/'), '/a0');
    assert.equal(prefixEnd(''), undefined);
    assert.deepEqual([...prefixEndBytes(Buffer.from('/a/'))], [...Buffer.from('/a0')]);
    assert.deepEqual([...prefixEndBytes(Buffer.from([0x61, 0xff]))], [0x62]);
    assert.deepEqual([...prefixEndBytes(Buffer.from([0xff]))], [0]);
  });

  it('continue tokens round-trip relative to the prefix', () => {
    const token = encodeContinue('/registry/pods/ns/b\u0000', '/registry/pods/', 17);
    assert.deepEqual(JSON.parse(Buffer.from(token, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 17, start: 'ns/b\u0000' });
    assert.deepEqual(decodeContinue(token, '/registry/pods/'), { revision: 17, startKey: '/registry/pods/ns/b\u0000' });
    const bad = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 17, start: '/../etc' })).toString('base64url');
    assert.throws(() => decodeContinue(bad, '/registry/pods/'), /continue key is not valid/);
  });

  it('factory picks the embedded store without etcd servers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-factory-'));
    try {
      const backend = createBackend({ dataDir, etcdServers: [] });
      await backend.create('/x', enc('1'));
      await backend.close();
      assert.ok(existsSync(join(dataDir, 'state.db')));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a watcher that falls too far behind is ended with Unavailable', async () => {
    const backend = createMemoryBackend({ watchBuffer: 3 });
    const ac = new AbortController();
    const iter = backend.watch('/w/', await backend.currentRevision(), ac.signal)[Symbol.asyncIterator]();
    const first = iter.next(); // starts the watch; it now waits for live events
    for (let i = 0; i < 10; i++) await backend.create(`/w/k${i}`, enc(String(i)));
    assert.equal((await first).value?.[0]?.kv.key, '/w/k0');
    await assert.rejects(iter.next(), (e: unknown) => isStorageError(e, 'Unavailable') && /too far behind/.test(e.message));
    ac.abort();
    await backend.close();
  });

  it('the compactor keeps a window of recent revisions and compacts only at its own marks', async () => {
    const backend = createMemoryBackend();
    const compactor = startCompactor(backend, { intervalMs: 60_000, keepRevisions: 5 });
    const markRevision = async (): Promise<number> => (await backend.get(COMPACTION_MARK_KEY)).kv!.modRevision;
    try {
      assert.equal(await compactor.runOnce(), 0); // the first round only writes a mark
      const first = await markRevision();
      for (let i = 0; i < 20; i++) await backend.create(`/c/k${i}`, enc(String(i)));
      // The newest mark at least 5 revisions old: the first one.
      assert.equal(await compactor.runOnce(), first);
      const second = await markRevision();
      assert.ok(second > first + 20); // after the 20 creates
      assert.equal(await compactor.runOnce(), 0); // the second mark is not 5 revisions old yet
      const third = await markRevision();
      for (let i = 0; i < 20; i++) await backend.delete(`/c/k${i}`);
      const current = await backend.currentRevision();
      // The newest mark old enough (the third), not current - 5 (a delete).
      assert.equal(await compactor.runOnce(), third);
      assert.ok(current - 5 > third);
      assert.equal(await backend.compactedRevision(), third);
      assert.equal((await backend.get('/c/k0', { revision: third })).kv?.modRevision, first + 1);
      await assert.rejects(backend.get('/c/k0', { revision: third - 1 }), (e: unknown) => isStorageError(e, 'Compacted'));
      // A compactor started later (a restarted server) takes the mark it finds as its first.
      const found = await markRevision();
      for (let i = 0; i < 10; i++) await backend.create(`/c/again${i}`, enc(String(i)));
      const restarted = startCompactor(backend, { intervalMs: 60_000, keepRevisions: 5 });
      try {
        assert.equal(await restarted.runOnce(), found);
      } finally {
        await restarted.stop();
      }
    } finally {
      await compactor.stop();
      await backend.close();
    }
  });

});
