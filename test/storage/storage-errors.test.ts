/** Storage failures become the right Kubernetes Status: 500/503/504 for the store's own trouble, never 400. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretStorageError } from '../../src/registry/generic/storage-errors.js';
import { decodeWithVersion, jsonCodec } from '../../src/storage/codec.js';
import { StorageError, isStorageError } from '../../src/storage/errors.js';
import { fromEtcdError } from '../../src/storage/etcd3/errors.js';

const pods = { group: '', resource: 'pods' };

describe('etcd failures → storage errors', () => {
  const cases: [string, string, string][] = [
    ['14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379', 'Unavailable', 'etcd request failed: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379'],
    ['14 UNAVAILABLE: etcdserver: no leader', 'Unavailable', 'etcd request failed: 14 UNAVAILABLE: etcdserver: no leader'],
    ['4 DEADLINE_EXCEEDED: Deadline exceeded', 'Timeout', 'etcd did not answer in time: 4 DEADLINE_EXCEEDED: Deadline exceeded'],
    ['14 UNAVAILABLE: etcdserver: request timed out', 'Timeout', 'etcd did not answer in time: 14 UNAVAILABLE: etcdserver: request timed out'],
    [
      '8 RESOURCE_EXHAUSTED: Received message larger than max (12646793 vs 4194304)',
      'Internal',
      'etcd rejected the request: 8 RESOURCE_EXHAUSTED: Received message larger than max (12646793 vs 4194304)',
    ],
    ['3 INVALID_ARGUMENT: etcdserver: request is too large', 'RequestTooLarge', 'etcdserver: request is too large'],
    ['13 INTERNAL: Received RST_STREAM with code 2', 'Internal', 'etcd request failed: 13 INTERNAL: Received RST_STREAM with code 2'],
  ];
  for (const [raw, code, message] of cases) {
    it(`${raw} → ${code}`, () => {
      const cause = new Error(raw);
      const e = fromEtcdError(cause, { key: '/registry/pods/a/b' });
      assert.equal(e.code, code);
      assert.equal(e.message, message);
      assert.equal(e.key, '/registry/pods/a/b');
      assert.equal(e.cause, cause);
    });
  }

  it('compaction and future revisions keep their meaning', () => {
    const c = fromEtcdError(new Error('11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted'), { revision: 5 });
    assert.equal(c.code, 'Compacted');
    assert.equal(c.message, 'too old resource version: 5');
    const f = fromEtcdError(new Error('11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision'), { revision: 99 });
    assert.equal(f.code, 'FutureRevision');
    assert.equal(f.message, 'Too large resource version: 99');
  });

  it('a write over the message limit is etcd\'s request too large; a read over it stays Internal', () => {
    const raw = new Error('8 RESOURCE_EXHAUSTED: Received message larger than max (2621440 vs 2097152)');
    const write = fromEtcdError(raw, { key: '/registry/configmaps/a/b', write: true });
    assert.equal(write.code, 'RequestTooLarge');
    assert.equal(write.message, 'etcdserver: request is too large');
    assert.equal(write.key, '/registry/configmaps/a/b');
    assert.equal(fromEtcdError(raw, { key: '/registry/configmaps/a/b' }).code, 'Internal');
  });

  it('a StorageError passes through unchanged', () => {
    const e = new StorageError('KeyExists', 'key already exists: /k', { key: '/k' });
    assert.equal(fromEtcdError(e), e);
  });
});

describe('storage errors → Kubernetes Status', () => {
  it('Internal → 500 InternalError with the cause', () => {
    const e = interpretStorageError(new StorageError('Internal', 'etcd request failed: 13 INTERNAL: boom'), pods, 'a');
    assert.deepEqual(e.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: etcd request failed: 13 INTERNAL: boom',
      reason: 'InternalError',
      details: { causes: [{ message: 'etcd request failed: 13 INTERNAL: boom' }] },
      code: 500,
    });
  });

  it('Unavailable → 503 ServiceUnavailable', () => {
    const e = interpretStorageError(new StorageError('Unavailable', 'etcd request failed: 14 UNAVAILABLE: x'), pods);
    assert.deepEqual(e.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'etcd request failed: 14 UNAVAILABLE: x',
      reason: 'ServiceUnavailable',
      code: 503,
    });
  });

  it('Timeout → 504 Timeout', () => {
    const e = interpretStorageError(new StorageError('Timeout', 'etcd did not answer in time: 4 DEADLINE_EXCEEDED: Deadline exceeded'), pods);
    assert.deepEqual(e.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Timeout: etcd did not answer in time: 4 DEADLINE_EXCEEDED: Deadline exceeded',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
  });

  it('a response over the etcd client limit is a 500, not a 400', () => {
    const e = interpretStorageError(fromEtcdError(new Error('8 RESOURCE_EXHAUSTED: Received message larger than max (12646793 vs 4194304)')), pods);
    assert.equal(e.code, 500);
    assert.equal(e.reason, 'InternalError');
    assert.equal(e.status.message, 'Internal error occurred: etcd rejected the request: 8 RESOURCE_EXHAUSTED: Received message larger than max (12646793 vs 4194304)');
  });

  it('a write too large is the 500 without a reason kube-apiserver passes on from etcd', () => {
    const e = interpretStorageError(new StorageError('RequestTooLarge', 'etcdserver: request is too large'), pods, 'a');
    assert.deepEqual(e.status, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 });
  });

  it('a stored object that does not decode is a 500', () => {
    let thrown: unknown;
    try {
      decodeWithVersion(jsonCodec(), new TextEncoder().encode('{not json'), 7, '/registry/pods/a/b');
    } catch (err) {
      thrown = err;
    }
    assert.ok(isStorageError(thrown, 'Internal'));
    const e = interpretStorageError(thrown, pods, 'b');
    assert.equal(e.code, 500);
    assert.equal(e.reason, 'InternalError');
    assert.match(e.status.message ?? '', /^Internal error occurred: cannot decode object stored at \/registry\/pods\/a\/b: /);
  });

  it('bad request parameters stay 400; the rest keep their codes', () => {
    assert.equal(interpretStorageError(new StorageError('InvalidObject', 'invalid continue token: x'), pods).code, 400);
    assert.equal(interpretStorageError(new StorageError('KeyNotFound', 'key not found'), pods, 'a').code, 404);
    assert.equal(interpretStorageError(new StorageError('KeyExists', 'exists'), pods, 'a').code, 409);
    assert.equal(interpretStorageError(new StorageError('Compacted', 'too old resource version: 1 (5)'), pods).code, 410);
    assert.equal(interpretStorageError(new StorageError('FutureRevision', 'x', { revision: 9, currentRevision: 3 }), pods).code, 504);
  });
});
