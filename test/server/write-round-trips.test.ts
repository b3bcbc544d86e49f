/**
 * The write path costs no more storage round trips than the write itself: one create
 * request of a namespaced ConfigMap in an existing namespace is exactly one backend write
 * (for etcd: one txn) and no read, over HTTP and gRPC, on etcd and on the embedded store;
 * an update is one compare-and-swap (its starting state read from the watch cache). The running server's backend is wrapped
 * in place with a recorder of every call.
 *
 * The server's own controllers use the same backend in the background; a measurement that
 * saw a call outside the object's collection and its namespace (or a keyless one) is taken
 * again with a fresh object, and only a clean one is compared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { kubeJsonToMessage } from '../../src/machinery/schema/index.js';
import type { KvBackend } from '../../src/storage/index.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';

const RECORDED = ['currentRevision', 'get', 'list', 'create', 'update', 'delete', 'compact', 'compactedRevision'] as const;

/** One backend call: its method and the key or prefix it named ('' for none). */
type Call = [method: string, key: string];

/** Replaces each method of `backend` with one that records its calls. */
function recordCalls(backend: KvBackend): { calls: Call[] } {
  const log: { calls: Call[] } = { calls: [] };
  const b = backend as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of RECORDED) {
    const original = b[name]!.bind(backend);
    b[name] = (...args: unknown[]) => {
      log.calls.push([name, typeof args[0] === 'string' ? args[0] : '']);
      return original(...args);
    };
  }
  return log;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function roundTrips(name: string, start: () => Promise<{ ts: TestServer; cleanup?: () => Promise<void> }>): void {
  describe(`write round trips (${name})`, () => {
    let ts: TestServer;
    let cleanup: (() => Promise<void>) | undefined;
    let log: { calls: Call[] };
    let grpc: ConfigMapServiceClient;

    /** Waits (up to 15 s) for half a second without any backend call. */
    async function quiet(): Promise<void> {
      for (let waited = 0; waited < 15_000; waited += 500) {
        log.calls = [];
        await sleep(500);
        if (log.calls.length === 0) return;
      }
    }

    /** The backend calls `op(attempt)` makes, from a measurement no background call disturbed. */
    async function callsOf(op: (attempt: number) => Promise<void>): Promise<Call[]> {
      const ours = (c: Call): boolean => c[1].startsWith('/registry/configmaps/rt/') || c[1] === '/registry/namespaces/rt';
      let calls: Call[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        await quiet();
        log.calls = [];
        await op(attempt);
        calls = log.calls;
        log.calls = [];
        if (calls.every(ours)) return calls;
      }
      return calls;
    }

    before(async () => {
      ({ ts, cleanup } = await start());
      log = recordCalls(ts.server.storageBackend);
      const ns = await api(ts.server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rt' } });
      assert.equal(ns.status, 201);
      grpc = new ConfigMapServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
    });
    after(async () => {
      grpc?.close();
      await ts?.stop();
      await cleanup?.();
    });

    it('one HTTP create of a ConfigMap is exactly one backend write and no read', async () => {
      const calls = await callsOf(async (attempt) => {
        const res = await api(ts.server, 'POST', '/api/v1/namespaces/rt/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `http-${attempt}` }, data: { a: 'b' } });
        assert.equal(res.status, 201);
      });
      assert.deepEqual(calls.map((c) => c[0]), ['create']);
      assert.match(calls[0]![1], /^\/registry\/configmaps\/rt\/http-\d$/);
    });

    it('one gRPC create of a ConfigMap is exactly one backend write and no read', async () => {
      const create = (name: string) =>
        new Promise<void>((resolve, reject) => {
          const object = kubeJsonToMessage('k8s.io.api.core.v1.ConfigMap', { metadata: { name }, data: { a: 'b' } }).message as unknown as ConfigMap;
          grpc.create({ namespace: 'rt', object }, (err) => (err ? reject(err) : resolve()));
        });
      await create('grpc-warm'); // opens the channel
      const calls = await callsOf((attempt) => create(`grpc-${attempt}`));
      assert.deepEqual(calls.map((c) => c[0]), ['create']);
      assert.match(calls[0]![1], /^\/registry\/configmaps\/rt\/grpc-\d$/);
    });

    it('one HTTP update of a ConfigMap is exactly one compare-and-swap and no read', async () => {
      const cur = await api(ts.server, 'GET', '/api/v1/namespaces/rt/configmaps/grpc-warm');
      assert.equal(cur.status, 200);
      const calls = await callsOf(async (attempt) => {
        const res = await api(ts.server, 'PUT', '/api/v1/namespaces/rt/configmaps/grpc-warm', { ...cur.body, metadata: { ...cur.body.metadata, resourceVersion: undefined }, data: { a: `c${attempt}` } });
        assert.equal(res.status, 200);
      });
      // The current state comes from the watch cache: the compare-and-swap is the only call.
      assert.deepEqual(calls, [['update', '/registry/configmaps/rt/grpc-warm']]);
    });
  });
}

let etcd: EtcdInstance | undefined;
roundTrips('etcd', async () => {
  etcd = await startEtcd();
  return { ts: await startTestServer({ etcdServers: [etcd.endpoint] }), cleanup: () => etcd!.stop() };
});
roundTrips('embedded', async () => ({ ts: await startTestServer() }));
