/**
 * Service cluster IPs and node ports on a real server, on both stores: concurrent creates
 * never share a value, requested values that are taken are refused with upstream's
 * messages, deletes and type changes free them, reservations are repaired on start; and
 * the bootstrap objects: `default/kubernetes` with its Endpoints, a `default`
 * ServiceAccount in every new namespace.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const KUBECTL = 33;

function suite(store: 'embedded' | 'etcd'): void {
  describe(`service allocation and bootstrap (${store})`, () => {
    let etcd: EtcdInstance | undefined;
    let ts: TestServer;
    let dataDir: string | undefined;
    const start = async (): Promise<TestServer> =>
      startTestServer(store === 'etcd' ? { etcdServers: [(etcd as EtcdInstance).endpoint] } : dataDir ? { dataDir } : {});
    const kubectl = (...args: string[]) => runKubectl(KUBECTL, ts.server.kubeconfigPath, args);

    before(async () => {
      if (store === 'etcd') etcd = await startEtcd();
      ts = await start();
      dataDir = ts.dataDir;
    });
    after(async () => {
      await ts.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await etcd?.stop();
    });

    it('serves default/kubernetes on 443 at the first address of 10.0.0.0/24, with Endpoints naming this server', async () => {
      const got = await kubectl('get', 'svc', 'kubernetes');
      assert.equal(got.code, 0, got.stderr);
      const row = got.stdout.trim().split('\n')[1]?.split(/\s+/);
      assert.deepEqual(row?.slice(0, 5), ['kubernetes', 'ClusterIP', '10.0.0.1', '<none>', '443/TCP']);
      const svc = await api(ts.server, 'GET', '/api/v1/namespaces/default/services/kubernetes');
      assert.deepEqual(svc.body.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
      assert.deepEqual(svc.body.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: ts.server.httpPort }]);
      const ep = await api(ts.server, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
      assert.deepEqual(ep.body.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: ts.server.httpPort, protocol: 'TCP' }] }]);
    });

    it('gives 50 concurrent creates 50 distinct cluster IPs and node ports', async () => {
      const made = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          api(ts.server, 'POST', '/api/v1/namespaces/default/services', {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `many-${i}` },
            spec: { type: 'NodePort', selector: { app: `many-${i}` }, ports: [{ port: 80 }] },
          }),
        ),
      );
      for (const r of made) assert.equal(r.status, 201, JSON.stringify(r.body));
      const ips = made.map((r) => r.body.spec.clusterIP as string);
      const ports = made.map((r) => r.body.spec.ports[0].nodePort as number);
      assert.equal(new Set(ips).size, 50);
      assert.equal(new Set(ports).size, 50);
      assert.ok(!ips.includes('10.0.0.1'));
      for (const ip of ips) assert.match(ip, /^10\.0\.0\.(\d+)$/);
      for (const p of ports) assert.ok(p >= 30000 && p <= 32767, String(p));
      const list = await api(ts.server, 'GET', '/api/v1/namespaces/default/services');
      const stored = (list.body.items as { spec: { clusterIP: string } }[]).map((s) => s.spec.clusterIP);
      assert.equal(new Set(stored).size, stored.length);
      await Promise.all(made.map((_, i) => api(ts.server, 'DELETE', `/api/v1/namespaces/default/services/many-${i}`)));
    });

    it('refuses a taken IP or node port with upstream\'s message, and a delete frees the IP', async () => {
      let r = await kubectl('create', 'service', 'nodeport', 'first', '--tcp=80:80', '--node-port=30100');
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl('create', 'service', 'clusterip', 'owner', '--clusterip=10.0.0.5', '--tcp=80:80');
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl('create', 'service', 'clusterip', 'taken', '--clusterip=10.0.0.5', '--tcp=80:80');
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        'error: failed to create ClusterIP service: Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: provided IP is already allocated',
      );
      r = await kubectl('create', 'service', 'nodeport', 'second', '--tcp=80:80', '--node-port=30100');
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        'error: failed to create NodePort service: Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30100: provided port is already allocated',
      );
      r = await kubectl('create', 'service', 'clusterip', 'outside', '--clusterip=10.1.0.5', '--tcp=80:80');
      assert.match(r.stderr, /failed to allocate IP 10\.1\.0\.5: the provided IP \(10\.1\.0\.5\) is not in the valid range\. The range of valid IPs is 10\.0\.0\.0\/24$/m);
      r = await kubectl('delete', 'service', 'owner');
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl('create', 'service', 'clusterip', 'taken', '--clusterip=10.0.0.5', '--tcp=80:80');
      assert.equal(r.code, 0, r.stderr);
      // A type change back to ClusterIP frees the node port.
      r = await kubectl('patch', 'service', 'first', '--type=merge', '-p', '{"spec":{"type":"ClusterIP","ports":[{"port":80,"targetPort":80,"protocol":"TCP","name":"80-80","nodePort":null}]}}');
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl('create', 'service', 'nodeport', 'second', '--tcp=80:80', '--node-port=30100');
      assert.equal(r.code, 0, r.stderr);
      for (const name of ['first', 'second', 'taken']) await kubectl('delete', 'service', name);
    });

    it('creates the default ServiceAccount in a new namespace within a second', async () => {
      const r = await kubectl('create', 'namespace', `fresh-${store}`);
      assert.equal(r.code, 0, r.stderr);
      const t0 = Date.now();
      let status = 0;
      while (Date.now() - t0 < 1000) {
        status = (await api(ts.server, 'GET', `/api/v1/namespaces/fresh-${store}/serviceaccounts/default`)).status;
        if (status === 200) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(status, 200, `no default ServiceAccount after ${Date.now() - t0} ms`);
      // Deleted, it comes back.
      await api(ts.server, 'DELETE', `/api/v1/namespaces/fresh-${store}/serviceaccounts/default`);
      const t1 = Date.now();
      while (Date.now() - t1 < 1000 && (await api(ts.server, 'GET', `/api/v1/namespaces/fresh-${store}/serviceaccounts/default`)).status !== 200) {
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal((await api(ts.server, 'GET', `/api/v1/namespaces/fresh-${store}/serviceaccounts/default`)).status, 200);
    });

    it('repairs reservations on start: held values stay taken, leaked ones are freed', async () => {
      let r = await kubectl('create', 'service', 'clusterip', 'keeper', '--clusterip=10.0.0.7', '--tcp=80:80');
      assert.equal(r.code, 0, r.stderr);
      // A reservation whose Service never got written (a crash between the two writes).
      const leaked = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IPAddress',
        metadata: { name: '10.0.0.9', annotations: { 'wheelhouse.dev/service-uid': 'no-such-uid' } },
        spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'ghost' } },
      };
      await ts.server.backend.create('/registry/ipaddresses/10.0.0.9', new TextEncoder().encode(JSON.stringify(leaked)));
      await ts.server.close();
      ts = await start();
      r = await kubectl('create', 'service', 'clusterip', 'again', '--clusterip=10.0.0.7', '--tcp=80:80');
      assert.match(r.stderr, /failed to allocate IP 10\.0\.0\.7: provided IP is already allocated/);
      r = await kubectl('create', 'service', 'clusterip', 'ghost', '--clusterip=10.0.0.9', '--tcp=80:80');
      assert.equal(r.code, 0, r.stderr);
      r = await kubectl('get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].targetPort}');
      assert.equal(r.stdout, `10.0.0.1 ${ts.server.httpPort}`);
    });
  });
}

suite('embedded');
suite('etcd');
