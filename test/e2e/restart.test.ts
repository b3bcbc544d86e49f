/**
 * As a new user would: `npm start`, write through the API, kill -9 the server, start it
 * again — every acknowledged write is still there, on the embedded store and on etcd.
 * With etcd, `etcdctl get --prefix /registry/configmaps/NS/` shows the objects.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeProtobufObject, parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { startServerProcess } from '../helpers/process.js';

/** The admin kubeconfig's bearer token, as a user's kubectl sends it. */
let auth: Record<string, string> = {};
function useAdminToken(dataDir: string): void {
  auth = { authorization: `Bearer ${readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()}` };
}

async function createConfigMaps(url: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `ack-${i}`;
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ metadata: { name }, data: { i: String(i) } }),
    });
    assert.equal(res.status, 201, await res.text());
    names.push(name);
  }
  return names;
}

async function listNames(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { headers: auth });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { items: { metadata: { name: string } }[] };
  return body.items.map((i) => i.metadata.name).sort();
}

describe('npm start', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('--help lists the flags', () => {
    const out = execFileSync('npm', ['start', '--silent', '--', '--help'], { encoding: 'utf8', cwd: new URL('../../', import.meta.url).pathname });
    for (const flag of ['--data-dir', '--bind-address', '--port', '--grpc-port', '--etcd-servers', '--etcd-prefix', '--runtime-config']) {
      assert.ok(out.includes(flag), `--help does not list ${flag}`);
    }
  });

  it('serves on the embedded store, writes a kubeconfig, and survives kill -9', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-restart-'));
    dirs.push(dataDir);
    const args = ['--data-dir', dataDir, '--port', '0', '--grpc-port', '0'];
    let server = await startServerProcess(args);
    try {
      assert.ok(server.output().includes(`kubeconfig:`));
      const kubeconfig = readFileSync(join(dataDir, 'kubeconfig'), 'utf8');
      assert.ok(kubeconfig.includes(`server: ${server.url}`));
      useAdminToken(dataDir);
      assert.ok(server.url.startsWith('https://'), `serves TLS by default: ${server.url}`);
      assert.ok(kubeconfig.includes('client-certificate-data:') && kubeconfig.includes('certificate-authority-data:'), 'the kubeconfig carries the CA and the admin client certificate');
      // A wrong token reaches nothing.
      const version = await (await fetch(`${server.url}/version`)).json();
      assert.equal((version as { minor: string }).minor, '33');
      const wrong = await fetch(`${server.url}/api/v1/namespaces`, { headers: { authorization: 'Bearer wrong' } });
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      const names = await createConfigMaps(server.url, 20);
      await server.kill9();
      server = await startServerProcess(args);
      assert.deepEqual(await listNames(server.url), names.sort());
      const nsRes = await fetch(`${server.url}/api/v1/namespaces`, { headers: auth });
      const ns = ((await nsRes.json()) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
      assert.deepEqual(ns, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    } finally {
      await server.stop();
    }
    assert.ok(existsSync(join(dataDir, 'state.db')));
  });

  it('with --etcd-servers, stores under /registry in etcd and survives kill -9', async () => {
    const etcd: EtcdInstance = await startEtcd();
    const dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-restart-'));
    dirs.push(dataDir);
    const args = ['--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--etcd-servers', etcd.endpoint];
    let server = await startServerProcess(args);
    try {
      useAdminToken(dataDir);
      const names = await createConfigMaps(server.url, 10);
      await server.kill9();
      server = await startServerProcess(args);
      assert.deepEqual(await listNames(server.url), names.sort());
      const keys = execFileSync('etcdctl', ['--endpoints', etcd.endpoint, 'get', '--prefix', '--keys-only', '/registry/configmaps/default/'], {
        encoding: 'utf8',
        env: { ...process.env, ETCDCTL_API: '3' },
      })
        .split('\n')
        .filter(Boolean)
        .sort();
      assert.deepEqual(keys, names.map((n) => `/registry/configmaps/default/${n}`).sort());
      const value = execFileSync('etcdctl', ['--endpoints', etcd.endpoint, 'get', '--print-value-only', '/registry/configmaps/default/ack-3'], {
        env: { ...process.env, ETCDCTL_API: '3' },
      }).subarray(0, -1); // etcdctl ends the value with a newline
      // The default storage media type: the k8s\0 envelope around the ConfigMap's protobuf.
      const envelope = parseK8sEnvelope(value);
      assert.deepEqual([envelope.apiVersion, envelope.kind], ['v1', 'ConfigMap']);
      const stored = decodeProtobufObject('k8s.io.api.core.v1.ConfigMap', envelope.raw) as { metadata: Record<string, unknown>; data: Record<string, string> };
      assert.deepEqual(stored.data, { i: '3' });
      assert.equal(stored.metadata.resourceVersion, '', 'resourceVersion must not be stored in the value');
    } finally {
      await server.stop();
      await etcd.stop();
    }
  });
});
