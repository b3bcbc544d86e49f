/**
 * What lands in etcd, read with etcdctl as an operator (or kube-apiserver) would:
 * by default the `k8s\0` envelope around the object's protobuf, under upstream's keys,
 * with resourceVersion = the key's etcd mod_revision; with --storage-media-type
 * application/json, JSON carrying apiVersion and kind. A server of either format
 * reads what the other wrote, and rewrites it in its own format on update.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, messageToKubeJson, parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { deploymentManifest } from '../helpers/objects.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

function etcdctl(etcd: EtcdInstance, ...args: string[]): Buffer {
  return execFileSync('etcdctl', ['--endpoints', etcd.endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
}

/** The stored value of `key`, exactly as etcd holds it. */
function storedValue(etcd: EtcdInstance, key: string): Buffer {
  const out = etcdctl(etcd, 'get', '--print-value-only', key);
  assert.equal(out[out.length - 1], 0x0a, 'etcdctl ends a value with a newline');
  return out.subarray(0, -1);
}

function modRevision(etcd: EtcdInstance, key: string): number {
  const out = JSON.parse(etcdctl(etcd, 'get', '-w', 'json', key).toString('utf8')) as { kvs: { mod_revision: number }[] };
  return out.kvs[0]!.mod_revision;
}

/** What the API returns, as it would be stored: no resourceVersion, no apiVersion/kind. */
function asStored(obj: Json): Json {
  const { apiVersion: _a, kind: _k, ...rest } = structuredClone(obj);
  delete rest.metadata.resourceVersion;
  return rest;
}

async function create(t: TestServer, path: string, body: Json): Promise<Json> {
  const res = await api(t.server, 'POST', path, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as Json;
}

async function get(t: TestServer, path: string): Promise<Json> {
  const res = await api(t.server, 'GET', path);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Json;
}

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const SVC = '/api/v1/namespaces/default/services';

describe('storage format in etcd', () => {
  let etcd: EtcdInstance;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('writes the Kubernetes protobuf envelope by default, under upstream keys, resourceVersion = mod_revision', async () => {
    const t = await startTestServer({ etcdServers: [etcd.endpoint] });
    try {
      const objects: [string, string, string, string, Json][] = [
        ['/registry/configmaps/default/pb-cm', 'v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', await create(t, CM, { metadata: { name: 'pb-cm', labels: { b: '2', a: '1' } }, data: { k: 'v' } })],
        ['/registry/deployments/default/pb-web', 'apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', await create(t, DEPLOY, deploymentManifest('pb-web', 2))],
        [
          '/registry/services/specs/default/pb-svc',
          'v1',
          'Service',
          'k8s.io.api.core.v1.Service',
          await create(t, SVC, { metadata: { name: 'pb-svc' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }),
        ],
        ['/registry/namespaces/default', 'v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', await get(t, '/api/v1/namespaces/default')],
      ];
      for (const [key, apiVersion, kind, typeName, served] of objects) {
        const value = storedValue(etcd, key);
        assert.equal(value.subarray(0, 4).toString('hex'), '6b387300', `${key} starts with k8s\\0`);
        const envelope = parseK8sEnvelope(value);
        assert.deepEqual([envelope.apiVersion, envelope.kind, envelope.contentEncoding, envelope.contentType], [apiVersion, kind, '', '']);
        assert.deepEqual(messageToKubeJson(typeName, decodeProtobufObject(typeName, envelope.raw)), asStored(served), key);
        assert.equal(served.metadata.resourceVersion, String(modRevision(etcd, key)), `${key} resourceVersion`);
      }
    } finally {
      await t.stop();
    }
  });

  it('with --storage-media-type application/json writes JSON with apiVersion and kind; both formats read either way', async () => {
    const jsonServer = await startTestServer({ etcdServers: [etcd.endpoint], storageMediaType: 'application/json' });
    let created: Json;
    try {
      created = await create(jsonServer, CM, { metadata: { name: 'json-cm' }, data: { k: 'v' } });
      const value = storedValue(etcd, '/registry/configmaps/default/json-cm').toString('utf8');
      const stored = JSON.parse(value) as Json;
      assert.deepEqual(Object.keys(stored).slice(0, 2), ['kind', 'apiVersion']);
      assert.deepEqual(stored, { kind: 'ConfigMap', apiVersion: 'v1', ...asStored(created) });

      // The protobuf value the first server wrote reads, and an update rewrites it as JSON.
      const pb = await get(jsonServer, `${CM}/pb-cm`);
      assert.deepEqual(pb.data, { k: 'v' });
      assert.deepEqual(pb.metadata.labels, { a: '1', b: '2' });
      const res = await api(jsonServer.server, 'PATCH', `${CM}/pb-cm`, { data: { k: 'json' } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const rewritten = JSON.parse(storedValue(etcd, '/registry/configmaps/default/pb-cm').toString('utf8')) as Json;
      assert.deepEqual(rewritten, { kind: 'ConfigMap', apiVersion: 'v1', ...asStored(res.body as Json) });
    } finally {
      await jsonServer.stop();
    }

    // A server with the protobuf default reads both JSON values, and writes protobuf on update.
    const pbServer = await startTestServer({ etcdServers: [etcd.endpoint] });
    try {
      assert.deepEqual(await get(pbServer, `${CM}/json-cm`), created);
      assert.deepEqual((await get(pbServer, `${CM}/pb-cm`)).data, { k: 'json' });
      const res = await api(pbServer.server, 'PATCH', `${CM}/json-cm`, { data: { k: 'pb' } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const envelope = parseK8sEnvelope(storedValue(etcd, '/registry/configmaps/default/json-cm'));
      assert.deepEqual([envelope.apiVersion, envelope.kind], ['v1', 'ConfigMap']);
      assert.deepEqual((await get(pbServer, `${CM}/json-cm`)).data, { k: 'pb' });
    } finally {
      await pbServer.stop();
    }
  });

  it('refuses to start with an unknown storage media type', async () => {
    await assert.rejects(startTestServer({ etcdServers: [etcd.endpoint], storageMediaType: 'application/yaml' }), {
      message:
        'invalid value "application/yaml" for --storage-media-type: supported media types are application/json, application/vnd.kubernetes.protobuf',
    });
  });
});
