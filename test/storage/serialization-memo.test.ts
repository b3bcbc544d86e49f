/** The shared memo of cached states' response bytes: bounded by its byte budget, tied to one state. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializedOnce } from '../../src/machinery/meta/serialized.js';
import { SerializationMemo } from '../../src/storage/cache/serialization-memo.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('serialization memo', () => {
  it('shares the bytes of one state between readers, per variant', () => {
    const memo = new SerializationMemo(10_000);
    const entry = {};
    let encodes = 0;
    const encode = (): Uint8Array => {
      encodes++;
      return bytes(100);
    };
    const first = serializedOnce(memo.of(entry), 'json v1', encode);
    const second = serializedOnce(memo.of(entry), 'json v1', encode);
    assert.equal(second, first, 'the same bytes, not a copy');
    assert.equal(encodes, 1);
    serializedOnce(memo.of(entry), 'protobuf v1', encode);
    serializedOnce(memo.of(entry), 'json v1beta1', encode);
    assert.equal(encodes, 3, 'each variant is encoded once');
    assert.deepEqual(memo.snapshot(), { budgetBytes: 10_000, heldBytes: 300, slots: 1, hits: 1, misses: 3, evictions: 0 });
  });

  it('stays within its budget, dropping the least recently used states first', () => {
    const memo = new SerializationMemo(1000);
    const entries = Array.from({ length: 20 }, () => ({}));
    for (const e of entries.slice(0, 10)) memo.put(e, 'json', bytes(50));
    memo.get(entries[0]!, 'json'); // used again: now the most recent
    for (const e of entries.slice(10)) memo.put(e, 'json', bytes(50));
    const s = memo.snapshot();
    assert.ok(s.heldBytes <= 1000, `held ${s.heldBytes}`);
    assert.equal(s.heldBytes, 1000);
    assert.equal(s.evictions, 0);
    memo.put({}, 'json', bytes(50));
    assert.equal(memo.snapshot().evictions, 1);
    assert.equal(memo.get(entries[1]!, 'json'), undefined, 'the least recently used went first');
    assert.ok(memo.get(entries[0]!, 'json'), 'the one read again stayed');
    // One object larger than a sixteenth of the budget is never kept.
    const big = {};
    memo.put(big, 'json', bytes(100));
    assert.equal(memo.get(big, 'json'), undefined);
    assert.ok(memo.snapshot().heldBytes <= 1000);
  });

  it('lets a replaced state go at once and never keeps bytes offered for it later', () => {
    const memo = new SerializationMemo(1000);
    const old = {};
    memo.put(old, 'json', bytes(100));
    memo.release(old);
    assert.equal(memo.snapshot().heldBytes, 0);
    assert.equal(memo.get(old, 'json'), undefined);
    // A request that read the old state before the write offers its bytes after it.
    memo.put(old, 'json', bytes(100));
    assert.equal(memo.get(old, 'json'), undefined);
    assert.deepEqual({ held: memo.snapshot().heldBytes, slots: memo.snapshot().slots }, { held: 0, slots: 0 });
  });
});
