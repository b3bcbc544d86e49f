/**
 * Consistent reads' store revisions shared between callers: each caller's answer comes from
 * a read that started after it asked (never from one already in flight), callers arriving
 * together share one read, at most four reads overlap, and a failed read fails its callers only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedRevisionReads } from '../../src/storage/cache/store-revision.js';

/** A store whose revision reads are answered by hand, each with the revision current when it started. */
function manualStore() {
  let revision = 10;
  const reads: { startedAt: number; answer(err?: Error): void }[] = [];
  const read = () =>
    new Promise<number>((resolve, reject) => {
      const startedAt = revision;
      reads.push({ startedAt, answer: (err) => (err ? reject(err) : resolve(startedAt)) });
    });
  return {
    read,
    reads,
    write: () => ++revision,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('shared store-revision reads', () => {
  it('gives a caller arriving during a read the answer of a later read', async () => {
    const store = manualStore();
    const shared = new SharedRevisionReads(store.read, 1);
    const first = shared.current();
    assert.equal(store.reads.length, 1);
    // A write is acknowledged, then another caller asks while the first read is out.
    const written = store.write();
    const second = shared.current();
    const third = shared.current();
    assert.equal(store.reads.length, 1, 'the in-flight read is not joined, the next one waits its turn');
    store.reads[0]!.answer();
    assert.equal(await first, 10);
    await tick();
    assert.equal(store.reads.length, 2, 'one read for both late callers');
    store.reads[1]!.answer();
    assert.equal(await second, written);
    assert.equal(await third, written);
  });

  it('overlaps at most four reads, each starting at once while fewer are out', async () => {
    const store = manualStore();
    const shared = new SharedRevisionReads(store.read);
    const answers = Array.from({ length: 6 }, (_, i) => {
      if (i > 0) store.write();
      return shared.current();
    });
    assert.equal(store.reads.length, 4);
    assert.deepEqual(
      store.reads.map((r) => r.startedAt),
      [10, 11, 12, 13],
    );
    for (const r of store.reads.slice(0, 4)) r.answer();
    await tick();
    assert.equal(store.reads.length, 5, 'the two waiting callers share the fifth read');
    store.reads[4]!.answer();
    assert.deepEqual(await Promise.all(answers), [10, 11, 12, 13, 15, 15]);
  });

  it('fails only the callers of a failed read', async () => {
    const store = manualStore();
    const shared = new SharedRevisionReads(store.read, 1);
    const failing = shared.current();
    const later = shared.current();
    store.reads[0]!.answer(new Error('etcd unavailable'));
    await assert.rejects(failing, /etcd unavailable/);
    await tick();
    store.reads[1]!.answer();
    assert.equal(await later, 10);
    await tick();
    assert.equal(shared.pending, 0);
  });
});
