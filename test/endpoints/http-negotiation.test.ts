/** HTTP gateway: Accept negotiation (Table, PartialObjectMetadata, 406), protobuf request bodies, gzip, response shapes. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { httpClient } from '../helpers/raw-http.js';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeProtobufObject, encodeProtobufObject, kubeJsonToMessage, parseK8sEnvelope, writeK8sEnvelope } from '../../src/machinery/schema/index.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const FIXTURES = new URL('../../../shared/fixtures/kube-roundtrip/', import.meta.url);
const CM = '/api/v1/namespaces/neg/configmaps';

/** Raw HTTP, so nothing (like fetch's automatic Accept-Encoding) is added behind our back. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpClient(url).request(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function postBytes(t: TestServer, path: string, bytes: Uint8Array, contentType: string, accept = 'application/json'): Promise<{ status: number; body: Json; contentType: string | null }> {
  const res = await fetch(t.server.url + path, { method: 'POST', body: Buffer.from(bytes), headers: { 'content-type': contentType, accept } });
  return { status: res.status, body: (await res.json()) as Json, contentType: res.headers.get('content-type') };
}

describe('HTTP API: negotiation and bodies', () => {
  let t: TestServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(t.server, method, path, body, headers);

  before(async () => {
    t = await startTestServer();
    assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: 'neg' } })).status, 201);
    for (const [name, labels] of [['alpha', { app: 'web' }], ['beta', {}]] as const) {
      assert.equal((await call('POST', CM, { metadata: { name, labels }, data: { a: '1', b: '2' } })).status, 201);
    }
  });
  after(async () => {
    await t.stop();
  });

  describe('Table output', () => {
    it('renders a list as a Table with PartialObjectMetadata rows', async () => {
      const r = await call('GET', `${CM}?limit=500`, undefined, { accept: TABLE_ACCEPT });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.equal(r.body.kind, 'Table');
      assert.equal(r.body.apiVersion, 'meta.k8s.io/v1');
      assert.match(r.body.metadata.resourceVersion, /^\d+$/);
      assert.deepEqual(
        r.body.columnDefinitions.map((c: Json) => [c.name, c.type, c.format, c.priority]),
        [['Name', 'string', 'name', 0], ['Data', 'integer', '', 0], ['Age', 'string', '', 0]],
      );
      for (const c of r.body.columnDefinitions) assert.equal(typeof c.description, 'string');
      assert.equal(r.body.rows.length, 2);
      const [alpha] = r.body.rows;
      assert.equal(alpha.cells.length, 3);
      assert.deepEqual(alpha.cells.slice(0, 2), ['alpha', 2]);
      assert.match(alpha.cells[2], /^\d+s$/);
      const full = (await call('GET', `${CM}/alpha`)).body;
      assert.deepEqual(alpha.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: full.metadata });
    });

    it('fills row.object.metadata.namespace on cross-namespace Tables (kubectl get -A)', async () => {
      const r = await call('GET', '/api/v1/configmaps?limit=500', undefined, { accept: TABLE_ACCEPT });
      assert.equal(r.status, 200);
      const rows = r.body.rows.filter((row: Json) => row.object.metadata.namespace === 'neg').map((row: Json) => row.cells[0]);
      assert.deepEqual(rows, ['alpha', 'beta']);
      for (const row of r.body.rows) assert.equal(typeof row.object.metadata.namespace, 'string');
    });

    it('renders a single get as a one-row Table', async () => {
      const r = await call('GET', `${CM}/alpha`, undefined, { accept: TABLE_ACCEPT });
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'Table');
      assert.equal(r.body.rows.length, 1);
      assert.equal(r.body.rows[0].cells[0], 'alpha');
      assert.equal(r.body.rows[0].object.kind, 'PartialObjectMetadata');
      assert.equal(r.body.rows[0].object.metadata.namespace, 'neg');
    });

    it('honours includeObject=Object and None, and rejects other values', async () => {
      const obj = await call('GET', `${CM}?includeObject=Object`, undefined, { accept: TABLE_ACCEPT });
      assert.equal(obj.body.rows[0].object.kind, 'ConfigMap');
      assert.equal(obj.body.rows[0].object.apiVersion, 'v1');
      assert.deepEqual(obj.body.rows[0].object.data, { a: '1', b: '2' });
      const none = await call('GET', `${CM}?includeObject=None`, undefined, { accept: TABLE_ACCEPT });
      assert.equal(none.body.rows.length, 2);
      for (const row of none.body.rows) assert.equal('object' in row, false);
      const bad = await call('GET', `${CM}?includeObject=All`, undefined, { accept: TABLE_ACCEPT });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'includeObject: Unsupported value: "All": supported values: "Metadata", "None", "Object"');
    });

    it('serves v1beta1 Tables when asked first, and carries continue on paged Tables', async () => {
      const r = await call('GET', `${CM}?limit=1`, undefined, { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' });
      assert.equal(r.body.apiVersion, 'meta.k8s.io/v1beta1');
      assert.equal(r.body.rows.length, 1);
      assert.equal(typeof r.body.metadata.continue, 'string');
      assert.equal(r.body.metadata.remainingItemCount, 1);
    });

    it('answers writes with the object even under a Table Accept', async () => {
      const r = await call('POST', CM, { metadata: { name: 'written' } }, { accept: TABLE_ACCEPT });
      assert.equal(r.status, 201);
      assert.equal(r.body.kind, 'ConfigMap');
    });

    it('serves PartialObjectMetadata and PartialObjectMetadataList', async () => {
      const one = await call('GET', `${CM}/alpha`, undefined, { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json' });
      assert.deepEqual(Object.keys(one.body).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(one.body.kind, 'PartialObjectMetadata');
      assert.equal(one.body.metadata.name, 'alpha');
      const list = await call('GET', CM, undefined, { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json' });
      assert.equal(list.body.kind, 'PartialObjectMetadataList');
      assert.equal(list.body.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual(list.body.items[0], { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: (await call('GET', `${CM}/alpha`)).body.metadata });
    });
  });

  describe('Accept', () => {
    it('accepts application/json with a charset, */*, and client-node/kubectl lists', async () => {
      for (const accept of ['application/json;charset=utf-8', 'application/json, */*', 'application/json, */*;q=0.8', '*/*', `text/html,application/json;q=0.5`]) {
        const r = await call('GET', `${CM}/alpha`, undefined, { accept });
        assert.equal(r.status, 200, accept);
        assert.equal(r.headers.get('content-type'), 'application/json', accept);
        assert.equal(r.body.kind, 'ConfigMap', accept);
      }
    });

    it('406s an Accept naming nothing the server writes, listing what it does (in JSON)', async () => {
      for (const path of [`${CM}/alpha`, CM]) {
        const r = await call('GET', path, undefined, { accept: 'text/html' });
        assert.equal(r.status, 406);
        assert.equal(r.headers.get('content-type'), 'application/json');
        assert.deepEqual(r.body, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
          reason: 'NotAcceptable',
          code: 406,
        });
      }
      assert.ok(PROTOBUF);
    });

    it('406s a Table request for an unknown meta version with no JSON fallback', async () => {
      const r = await call('GET', CM, undefined, { accept: 'application/json;as=Table;v=v2;g=meta.k8s.io' });
      assert.equal(r.status, 406);
      assert.equal(r.body.reason, 'NotAcceptable');
    });
  });

  describe('protobuf request bodies', () => {
    it('decodes the kubectl-captured Namespace envelope and answers JSON 201', async () => {
      // `kubectl create namespace team-b` (v1.32) exactly as captured on the wire.
      const bytes = Buffer.from('azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh4KFgoGdGVhbS1iEgAaACIAKgAyADgAQgASABoCCgAaACIA', 'base64');
      const r = await postBytes(t, '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict', bytes, PROTOBUF);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.contentType, 'application/json');
      assert.equal(r.body.kind, 'Namespace');
      assert.equal(r.body.metadata.name, 'team-b');
      assert.equal(r.body.metadata.generateName, undefined, 'empty strings are unset');
      assert.equal(r.body.status.phase, 'Active');
    });

    it('decodes envelopes built with writeK8sEnvelope for a Namespace and a ConfigMap', async () => {
      const ns = kubeJsonToMessage('k8s.io.api.core.v1.Namespace', { metadata: { name: 'pb-ns', labels: { via: 'protobuf' } } }).message;
      const nsBytes = writeK8sEnvelope({ apiVersion: 'v1', kind: 'Namespace', raw: encodeProtobufObject('k8s.io.api.core.v1.Namespace', ns) });
      const n = await postBytes(t, '/api/v1/namespaces', nsBytes, PROTOBUF);
      assert.equal(n.status, 201, JSON.stringify(n.body));
      assert.equal(n.body.metadata.labels.via, 'protobuf');

      const cm = kubeJsonToMessage('k8s.io.api.core.v1.ConfigMap', {
        metadata: { name: 'pb-cm', namespace: 'pb-ns' },
        data: { color: 'blue' },
        binaryData: { raw: 'AAEC' },
        immutable: true,
      }).message;
      const cmBytes = writeK8sEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', raw: encodeProtobufObject('k8s.io.api.core.v1.ConfigMap', cm) });
      const c = await postBytes(t, '/api/v1/namespaces/pb-ns/configmaps?fieldManager=kubectl-create', cmBytes, `${PROTOBUF}`);
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.kind, 'ConfigMap');
      assert.equal(c.body.metadata.namespace, 'pb-ns');
      assert.deepEqual(c.body.data, { color: 'blue' });
      assert.deepEqual(c.body.binaryData, { raw: 'AAEC' });
      assert.equal(c.body.immutable, true);
    });

    it('decodes the round-trip fixture bytes and validates them like any body', async () => {
      const fixture = readFileSync(new URL('core.v1.ConfigMap.pb', FIXTURES));
      // As stored, the fixture names namespace "namespaceValue": a mismatch with the URL.
      const mismatch = await postBytes(t, CM, fixture, PROTOBUF);
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.message, 'the namespace of the provided object does not match the namespace sent on the request');

      // The same message with a valid name and namespace is created.
      const envelope = parseK8sEnvelope(fixture);
      const message = decodeProtobufObject('k8s.io.api.core.v1.ConfigMap', envelope.raw) as Json;
      message.metadata = { ...message.metadata, name: 'from-fixture', namespace: 'neg', finalizers: [], ownerReferences: [], managedFields: [] };
      const bytes = writeK8sEnvelope({ apiVersion: envelope.apiVersion, kind: envelope.kind, raw: encodeProtobufObject('k8s.io.api.core.v1.ConfigMap', message) });
      const ok = await postBytes(t, CM, bytes, PROTOBUF);
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.data, { dataKey: 'dataValue' });
      assert.deepEqual(ok.body.binaryData, { binaryDataKey: 'Aw==' });
      assert.deepEqual(ok.body.metadata.labels, { labelsKey: 'labelsValue' });
      assert.notEqual(ok.body.metadata.uid, 'uidValue', 'system fields are the server\'s');
      assert.notEqual(ok.body.metadata.creationTimestamp, '2008-01-01T01:01:01Z');
    });

    it('400s protobuf without the k8s magic and a kind that does not match', async () => {
      const bad = await postBytes(t, CM, Buffer.from('not protobuf'), PROTOBUF);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.reason, 'BadRequest');
      assert.equal(bad.body.message, 'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6e6f742070726f746f627566)');
      const fixture = readFileSync(new URL('core.v1.Namespace.pb', FIXTURES));
      const wrong = await postBytes(t, CM, fixture, PROTOBUF);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.message, 'Namespace in version "v1" cannot be handled as a ConfigMap: the kind in the body does not match the resource');
    });
  });

  describe('gzip and response shape', () => {
    before(async () => {
      const big = 'x'.repeat(200 * 1024);
      assert.equal((await call('POST', CM, { metadata: { name: 'big' }, data: { big } })).status, 201);
    });

    it('never gzips when the client did not ask', async () => {
      for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0' }] as Record<string, string>[]) {
        const r = await rawGet(`${t.server.url}${CM}/big`, { accept: 'application/json', ...headers });
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-encoding'], undefined, JSON.stringify(headers));
        assert.equal(JSON.parse(r.body.toString('utf8')).metadata.name, 'big');
      }
    });

    it('gzips a large body when asked, and leaves small bodies alone', async () => {
      const r = await rawGet(`${t.server.url}${CM}/big`, { accept: 'application/json', 'accept-encoding': 'gzip' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-encoding'], 'gzip');
      assert.equal(r.headers['content-type'], 'application/json');
      const obj = JSON.parse(gunzipSync(r.body).toString('utf8'));
      assert.equal(obj.data.big.length, 200 * 1024);
      const small = await rawGet(`${t.server.url}${CM}/alpha`, { accept: 'application/json', 'accept-encoding': 'gzip' });
      assert.equal(small.headers['content-encoding'], undefined);
    });

    it('gives every top-level response kind and apiVersion', async () => {
      const paths = ['/api/v1/namespaces/neg', CM, `${CM}/alpha`, '/apis/apps/v1/namespaces/neg/deployments', '/apis/batch/v1/cronjobs', '/api/v1/nodes', `${CM}/missing`];
      for (const path of paths) {
        const r = await call('GET', path);
        assert.equal(r.headers.get('content-type'), 'application/json', path);
        assert.equal(typeof r.body.kind, 'string', path);
        assert.equal(typeof r.body.apiVersion, 'string', path);
        if (r.body.kind.endsWith('List')) assert.ok(Array.isArray(r.body.items), path);
      }
    });
  });
});
