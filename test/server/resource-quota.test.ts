/**
 * ResourceQuota admission and the quota controller, on the embedded store and on a real etcd:
 * 20 concurrent Pod creates against `pods: 5` admit exactly 5 (each charged by a
 * compare-and-swap of the quota's status before the Pod is written), the others refused with
 * upstream's 403; deleting Pods frees their share once the controller recomputes; a gRPC
 * create is refused with the same Status; a dry run is checked and charges nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { PodServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';

const NS = 'quota';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const QUOTA = `/api/v1/namespaces/${NS}/resourcequotas/q`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...extra },
});

/** Upstream's refusal of one more Pod in a full quota. */
const exceeded = (name: string, used: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `pods "${name}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=${used}, limited: pods=5`,
  reason: 'Forbidden',
  details: { name, kind: 'pods' },
  code: 403,
});

function quotaSuite(name: string, start: () => Promise<{ ts: TestServer; cleanup?: () => Promise<void> }>): void {
  describe(`ResourceQuota admission (${name})`, () => {
    let ts: TestServer;
    let cleanup: (() => Promise<void>) | undefined;
    const http = (method: string, path: string, body?: unknown) => api(ts.server, method, path, body);

    /** Waits (up to 10 s) until the quota's status reports `used` pods. */
    async function usedPods(expected: string): Promise<Record<string, unknown>> {
      let last: Record<string, unknown> = {};
      for (let i = 0; i < 100; i++) {
        const r = await http('GET', QUOTA);
        last = r.body.status ?? {};
        if ((last.used as Record<string, string> | undefined)?.pods === expected) return last;
        await sleep(100);
      }
      assert.fail(`quota status never reached pods=${expected}: ${JSON.stringify(last)}`);
    }

    before(async () => {
      ({ ts, cleanup } = await start());
      assert.equal((await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
      const q = await http('POST', `/api/v1/namespaces/${NS}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '5' } } });
      assert.equal(q.status, 201, JSON.stringify(q.body));
      // The controller fills status.hard and status.used from what is stored.
      assert.deepEqual(await usedPods('0'), { hard: { pods: '5' }, used: { pods: '0' } });
    });
    after(async () => {
      await ts?.stop();
      await cleanup?.();
    });

    it('admits exactly 5 of 20 concurrent creates; the others get upstream\'s 403', async () => {
      const names = Array.from({ length: 20 }, (_, i) => `p-${i}`);
      const results = await Promise.all(names.map((n) => http('POST', PODS, pod(n))));
      const created = results.filter((r) => r.status === 201);
      assert.equal(created.length, 5, JSON.stringify(results.map((r) => r.status)));
      for (const [i, r] of results.entries()) {
        if (r.status === 201) continue;
        assert.equal(r.status, 403);
        assert.deepEqual(r.body, exceeded(names[i]!, 5));
      }
      const listed = await http('GET', PODS);
      assert.equal(listed.body.items.length, 5);
      assert.deepEqual((await http('GET', QUOTA)).body.status, { hard: { pods: '5' }, used: { pods: '5' } });
    });

    it('frees what deleted Pods used once the controller recomputes: 2 deleted, 2 more fit', async () => {
      const listed = (await http('GET', PODS)).body.items as { metadata: { name: string } }[];
      for (const p of listed.slice(0, 2)) {
        const d = await http('DELETE', `${PODS}/${p.metadata.name}`);
        assert.equal(d.status, 200, JSON.stringify(d.body));
      }
      await usedPods('3');
      assert.equal((await http('POST', PODS, pod('again-1'))).status, 201);
      assert.equal((await http('POST', PODS, pod('again-2'))).status, 201);
      const refused = await http('POST', PODS, pod('again-3'));
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, exceeded('again-3', 5));
    });

    it('refuses a gRPC create with the same Status', async () => {
      const client = new PodServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
      try {
        const failure = await grpcFailure(() => unary((cb) => client.create({ namespace: NS, object: toMessage('k8s.io.api.core.v1.Pod', pod('via-grpc')) }, cb)));
        assert.equal(failure.grpcCode, GrpcStatus.PERMISSION_DENIED);
        assert.equal(failure.details, exceeded('via-grpc', 5).message);
        assert.deepEqual(failure.status, exceeded('via-grpc', 5));
      } finally {
        client.close();
      }
    });

    it('checks a dry run and charges nothing', async () => {
      const full = await http('POST', `${PODS}?dryRun=All`, pod('dry-full'));
      assert.equal(full.status, 403);
      assert.deepEqual(full.body, exceeded('dry-full', 5));
      assert.equal((await http('DELETE', `${PODS}/again-1`)).status, 200);
      await usedPods('4');
      for (let i = 0; i < 3; i++) {
        const dry = await http('POST', `${PODS}?dryRun=All`, pod(`dry-${i}`));
        assert.equal(dry.status, 201, JSON.stringify(dry.body));
      }
      assert.deepEqual((await http('GET', QUOTA)).body.status.used, { pods: '4' });
      assert.equal((await http('POST', PODS, pod('real'))).status, 201);
      assert.deepEqual((await http('GET', QUOTA)).body.status.used, { pods: '5' });
    });
  });
}

quotaSuite('embedded', async () => ({ ts: await startTestServer() }));
quotaSuite('etcd', async () => {
  const etcd: EtcdInstance = await startEtcd();
  return { ts: await startTestServer({ etcdServers: [etcd.endpoint] }), cleanup: () => etcd.stop() };
});
