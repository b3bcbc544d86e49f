/**
 * The write path costs no more storage round trips than the write itself: one create
 * request of a namespaced ConfigMap in an existing namespace is exactly one backend write
 * (for etcd: one txn) and no reads, over HTTP and gRPC, on etcd and on the embedded store.
 * The running server's backend is wrapped in place with a counter of every call.
 */
import assert from 'node:assert/strict';
import { credentials } from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { kubeJsonToMessage } from '../../src/machinery/schema/index.js';
import type { KvBackend } from '../../src/storage/index.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const COUNTED = ['currentRevision', 'get', 'list', 'create', 'update', 'delete', 'compact', 'compactedRevision'] as const;
type Counted = (typeof COUNTED)[number];

/** Replaces each counted method of `backend` with one that counts its calls while `armed`. */
function countCalls(backend: KvBackend): { arm(): void; disarm(): Record<string, number> } {
  const calls: Partial<Record<Counted, number>> = {};
  let armed = false;
  const b = backend as unknown as Record<Counted, (...args: unknown[]) => unknown>;
  for (const name of COUNTED) {
    const original = b[name].bind(backend);
    b[name] = (...args: unknown[]) => {
      if (armed) calls[name] = (calls[name] ?? 0) + 1;
      return original(...args);
    };
  }
  return {
    arm() {
      for (const k of Object.keys(calls)) delete calls[k as Counted];
      armed = true;
    },
    disarm() {
      armed = false;
      return { ...calls };
    },
  };
}

/** Waits until the namespace has been seen by the server's namespace watch (a create then needs no read). */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

function roundTrips(name: string, start: () => Promise<{ ts: TestServer; cleanup?: () => Promise<void> }>): void {
  describe(`create round trips (${name})`, () => {
    let ts: TestServer;
    let cleanup: (() => Promise<void>) | undefined;
    let counter: ReturnType<typeof countCalls>;
    before(async () => {
      ({ ts, cleanup } = await start());
      counter = countCalls(ts.server.backend);
      const ns = await api(ts.server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rt' } });
      assert.equal(ns.status, 201);
      await settle();
    });
    after(async () => {
      await ts?.stop();
      await cleanup?.();
    });

    it('one HTTP create of a ConfigMap is exactly one backend write and no read', async () => {
      counter.arm();
      const res = await api(ts.server, 'POST', '/api/v1/namespaces/rt/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'http' }, data: { a: 'b' } });
      const calls = counter.disarm();
      assert.equal(res.status, 201);
      assert.deepEqual(calls, { create: 1 });
    });

    it('one gRPC create of a ConfigMap is exactly one backend write and no read', async () => {
      const client = new ConfigMapServiceClient(ts.server.grpcAddress, credentials.createInsecure());
      try {
        const object = kubeJsonToMessage('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'grpc' }, data: { a: 'b' } }).message as unknown as ConfigMap;
        // The first call opens the channel; count the second.
        await new Promise<void>((resolve, reject) => client.create({ namespace: 'rt', object: { ...object, metadata: { ...object.metadata!, name: 'grpc-warm' } } }, (err) => (err ? reject(err) : resolve())));
        counter.arm();
        const created = await new Promise<unknown>((resolve, reject) => client.create({ namespace: 'rt', object }, (err, res) => (err ? reject(err) : resolve(res))));
        const calls = counter.disarm();
        assert.ok(created);
        assert.deepEqual(calls, { create: 1 });
      } finally {
        client.close();
      }
    });

    it('one HTTP update of a ConfigMap is one read and one write', async () => {
      const cur = await api(ts.server, 'GET', '/api/v1/namespaces/rt/configmaps/http');
      counter.arm();
      const res = await api(ts.server, 'PUT', '/api/v1/namespaces/rt/configmaps/http', { ...cur.body, data: { a: 'c' } });
      const calls = counter.disarm();
      assert.equal(res.status, 200);
      assert.deepEqual(calls, { get: 1, update: 1 });
    });
  });
}

let etcd: EtcdInstance | undefined;
roundTrips('etcd', async () => {
  etcd = await startEtcd();
  return { ts: await startTestServer({ etcdServers: [etcd.endpoint] }), cleanup: () => etcd!.stop() };
});
roundTrips('embedded', async () => ({ ts: await startTestServer() }));
