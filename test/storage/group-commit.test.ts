import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe as suite, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteLog } from '../../src/storage/embedded/sqlite-log.js';
import { StorageError } from '../../src/storage/errors.js';
import type { KvBackend } from '../../src/storage/kv.js';
import { createLogBackend } from '../../src/storage/log/log-backend.js';
import { collect, dec, describe, enc } from './util.js';

interface Store {
  backend: KvBackend;
  /** Log transactions begun so far. */
  transactions(): number;
  dataDir: string;
}

/** A SQLite-backed store whose log counts its transactions (one per group commit). */
function openStore(dataDir: string, maxWriteBatch?: number): Store {
  const log = openSqliteLog(join(dataDir, 'state.db'));
  let n = 0;
  const counted = { ...log, transaction: <T>(fn: () => T): T => (n++, log.transaction(fn)) };
  const backend = createLogBackend(counted, maxWriteBatch === undefined ? {} : { maxWriteBatch });
  return { backend, transactions: () => n, dataDir };
}

async function withStore(fn: (s: Store) => Promise<void>, maxWriteBatch?: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-group-'));
  const s = openStore(dataDir, maxWriteBatch);
  try {
    await fn(s);
  } finally {
    await s.backend.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

suite('embedded group commit', () => {
  it('CAS writers racing on one key in one batch: exactly one wins per revision, in queue order', () =>
    withStore(async ({ backend, transactions }) => {
      const r0 = await backend.create('/registry/x/k', enc('v0'));
      const t0 = transactions();
      // All issued in the same turn: five compete for r0, three for r0+1, one for r0+2.
      const expected = [r0, r0, r0, r0, r0, r0 + 1, r0 + 1, r0 + 1, r0 + 2];
      const results = await Promise.all(expected.map((rev, i) => backend.update('/registry/x/k', enc(`w${i}`), rev)));
      assert.equal(transactions() - t0, 1, 'one transaction for the whole batch');
      assert.deepEqual(
        results.map((r) => (r.ok ? `ok@${r.revision}` : `conflict cur=${r.current?.modRevision}`)),
        [`ok@${r0 + 1}`, `conflict cur=${r0 + 1}`, `conflict cur=${r0 + 1}`, `conflict cur=${r0 + 1}`, `conflict cur=${r0 + 1}`,
          `ok@${r0 + 2}`, `conflict cur=${r0 + 2}`, `conflict cur=${r0 + 2}`, `ok@${r0 + 3}`],
      );
      const { kv } = await backend.get('/registry/x/k');
      assert.equal(dec(kv!.value), 'w8');
      assert.equal(kv!.modRevision, r0 + 3);
      assert.equal(kv!.createRevision, r0);
      assert.equal(await backend.currentRevision(), r0 + 3);
    }));

  it('many concurrent read-modify-write loops lose no increment and never share a revision', () =>
    withStore(async ({ backend, transactions }) => {
      const key = '/registry/x/counter';
      await backend.create(key, enc('0'));
      const t0 = transactions();
      const writers = 16;
      const each = 10;
      const won: number[] = [];
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let done = 0; done < each; ) {
            const { kv } = await backend.get(key);
            const r = await backend.update(key, enc(String(Number(dec(kv!.value)) + 1)), kv!.modRevision);
            if (r.ok) {
              won.push(r.revision);
              done++;
            } else {
              conflicts++;
            }
          }
        }),
      );
      const { kv } = await backend.get(key);
      assert.equal(dec(kv!.value), String(writers * each));
      assert.equal(new Set(won).size, writers * each);
      assert.ok(conflicts > 0, 'writers did race');
      assert.ok(transactions() - t0 < writers * each + conflicts, 'writes were grouped');
    }));

  it('a mixed create/update/delete batch behaves like one transaction per write, watch sees it in order', () =>
    withStore(async ({ backend, transactions }) => {
      const p = '/registry/mix/';
      const r0 = await backend.create(`${p}c`, enc('c0'));
      const ac = new AbortController();
      const watched = collect(backend.watch(p, r0, ac.signal), (b) => b.flat().length >= 6);
      const t0 = transactions();
      const settled = await Promise.allSettled([
        backend.create(`${p}a`, enc('a1')), // r0+1
        backend.update(`${p}a`, enc('a2'), r0 + 1), // r0+2
        backend.create(`${p}a`, enc('dup')), // KeyExists
        backend.delete(`${p}a`, r0 + 1), // stale guard: conflict
        backend.delete(`${p}a`, r0 + 2), // r0+3
        backend.update(`${p}a`, enc('gone'), r0 + 2), // absent
        backend.create(`${p}a`, enc('a3')), // r0+4, recreated
        backend.delete(`${p}c`), // unguarded: r0+5
        backend.update(`${p}c`, enc('c1'), r0), // deleted above: absent
        backend.create(`${p}b`, enc('b1')), // r0+6
      ]);
      assert.equal(transactions() - t0, 1);
      const got = settled.map((s) => {
        if (s.status === 'rejected') return `error ${(s.reason as StorageError).code}`;
        const v = s.value;
        if (typeof v === 'number') return `rev ${v}`;
        return v.ok ? `ok ${v.revision}` : `fail ${v.current ? v.current.modRevision : 'absent'}`;
      });
      assert.deepEqual(got, [
        `rev ${r0 + 1}`, `ok ${r0 + 2}`, 'error KeyExists', `fail ${r0 + 2}`, `ok ${r0 + 3}`,
        'fail absent', `rev ${r0 + 4}`, `ok ${r0 + 5}`, 'fail absent', `rev ${r0 + 6}`,
      ]);
      const events = await watched;
      ac.abort();
      assert.deepEqual(describe(events), [
        `put ${p}a@${r0 + 1}`, `put ${p}a@${r0 + 2}`, `delete ${p}a@${r0 + 3}`, `put ${p}a@${r0 + 4}`, `delete ${p}c@${r0 + 5}`, `put ${p}b@${r0 + 6}`,
      ]);
      assert.equal(events.length, 6, 'one watch batch per revision');
      const upd = events[1]![0]!;
      assert.equal(dec(upd.prevKv!.value), 'a1');
      const del = events[2]![0]!;
      assert.equal(dec(del.prevKv!.value), 'a2');
      const { kv } = await backend.get(`${p}a`);
      assert.deepEqual([dec(kv!.value), kv!.createRevision, kv!.modRevision], ['a3', r0 + 4, r0 + 4]);
      assert.equal((await backend.get(`${p}c`)).kv, undefined);
      // Reads at revisions inside the batch see each intermediate state.
      assert.equal(dec((await backend.get(`${p}a`, { revision: r0 + 2 })).kv!.value), 'a2');
      assert.equal((await backend.get(`${p}a`, { revision: r0 + 3 })).kv, undefined);
    }));

  it('a write resolves only after its batch has committed and is readable', () =>
    withStore(async ({ backend }) => {
      let resolved = false;
      const w = backend.create('/registry/x/late', enc('v')).then((rev) => ((resolved = true), rev));
      await Promise.resolve();
      assert.equal(resolved, false);
      assert.equal((await backend.get('/registry/x/late')).kv, undefined, 'not visible before commit');
      const rev = await w;
      assert.equal((await backend.get('/registry/x/late')).kv!.modRevision, rev);
    }));

  it('bounds the batch size, keeping queue order across batches', () =>
    withStore(async ({ backend, transactions }) => {
      const r0 = await backend.currentRevision();
      const t0 = transactions();
      const revs = await Promise.all(Array.from({ length: 10 }, (_, i) => backend.create(`/registry/x/b${i}`, enc(String(i)))));
      assert.deepEqual(revs, Array.from({ length: 10 }, (_, i) => r0 + 1 + i));
      assert.equal(transactions() - t0, 3);
    }, 4));

  it('a SQLite error fails the whole batch and rolls it back; the store keeps working', () =>
    withStore(async ({ backend, dataDir }) => {
      const r0 = await backend.create('/registry/x/before', enc('v'));
      // Poison one key with a trigger so its INSERT fails inside the transaction.
      const other = new Database(join(dataDir, 'state.db'));
      other.exec(`CREATE TRIGGER poison BEFORE INSERT ON log WHEN NEW.key = '/registry/x/poison' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      other.close();
      const settled = await Promise.allSettled([
        backend.create('/registry/x/a', enc('a')),
        backend.create('/registry/x/poison', enc('p')),
        backend.update('/registry/x/before', enc('v2'), r0),
      ]);
      assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected', 'rejected']);
      for (const s of settled) assert.match(String((s as PromiseRejectedResult).reason), /injected failure/);
      assert.equal(await backend.currentRevision(), r0);
      assert.equal((await backend.get('/registry/x/a')).kv, undefined);
      assert.equal(await backend.create('/registry/x/a', enc('a')), r0 + 1);
      const r = await backend.update('/registry/x/before', enc('v2'), r0);
      assert.deepEqual(r, { ok: true, revision: r0 + 2 });
    }));

  it('writes queued when the backend closes still commit and are there after reopening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-group-'));
    try {
      const s = openStore(dataDir);
      const pending = [s.backend.create('/registry/x/q1', enc('1')), s.backend.create('/registry/x/q2', enc('2'))];
      await s.backend.close();
      const revs = await Promise.all(pending);
      await assert.rejects(s.backend.create('/registry/x/q3', enc('3')), (e: unknown) => e instanceof StorageError && e.code === 'Unavailable');
      const again = openStore(dataDir);
      try {
        assert.equal((await again.backend.get('/registry/x/q1')).kv!.modRevision, revs[0]);
        assert.equal((await again.backend.get('/registry/x/q2')).kv!.modRevision, revs[1]);
        assert.equal(revs[1], revs[0]! + 1);
      } finally {
        await again.backend.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
