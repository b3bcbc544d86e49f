/**
 * Responses in every media type upstream writes: protobuf (`k8s\0` envelope) and YAML as
 * well as JSON, for objects, lists, write results and Status errors; custom resources
 * refuse protobuf. Oracles nobody here wrote: upstream's round-trip fixtures (a fixture's
 * bytes stored as they are must be served back byte for byte, its resourceVersion aside)
 * and PyYAML reading the YAML.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtobufObject, K8S_PROTOBUF_MAGIC, messageToKubeJson, parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { replaceField } from '../helpers/protobuf-wire.js';
import { openApiResource } from '../helpers/openapi-resource.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/kube-roundtrip');

/** Upstream fixtures stored under their own name and namespace, and where they are served. */
const STORED: { fixture: string; key: string; path: string }[] = [
  { fixture: 'core.v1.ConfigMap', key: '/registry/configmaps/namespaceValue/nameValue', path: '/api/v1/namespaces/namespaceValue/configmaps/nameValue' },
  { fixture: 'core.v1.Secret', key: '/registry/secrets/namespaceValue/nameValue', path: '/api/v1/namespaces/namespaceValue/secrets/nameValue' },
  { fixture: 'core.v1.Pod', key: '/registry/pods/namespaceValue/nameValue', path: '/api/v1/namespaces/namespaceValue/pods/nameValue' },
  { fixture: 'core.v1.Service', key: '/registry/services/specs/namespaceValue/nameValue', path: '/api/v1/namespaces/namespaceValue/services/nameValue' },
  { fixture: 'core.v1.Namespace', key: '/registry/namespaces/nameValue', path: '/api/v1/namespaces/nameValue' },
  { fixture: 'core.v1.Node', key: '/registry/minions/nameValue', path: '/api/v1/nodes/nameValue' },
  { fixture: 'apps.v1.Deployment', key: '/registry/deployments/namespaceValue/nameValue', path: '/apis/apps/v1/namespaces/namespaceValue/deployments/nameValue' },
  { fixture: 'batch.v1.Job', key: '/registry/jobs/namespaceValue/nameValue', path: '/apis/batch/v1/namespaces/namespaceValue/jobs/nameValue' },
  { fixture: 'batch.v1.CronJob', key: '/registry/cronjobs/namespaceValue/nameValue', path: '/apis/batch/v1/namespaces/namespaceValue/cronjobs/nameValue' },
];

async function fetchBytes(t: TestServer, method: string, path: string, accept: string, body?: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(t.server.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A protobuf response body read with our messages (the envelope's kind picks the message). */
function decodeEnvelope(bytes: Uint8Array, typeName: string): Json {
  const env = parseK8sEnvelope(bytes);
  return { apiVersion: env.apiVersion, kind: env.kind, ...messageToKubeJson(typeName, decodeProtobufObject(typeName, env.raw)) };
}

/** PyYAML's reading of a YAML document. */
function pyYaml(text: string): unknown {
  const r = spawnSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('response formats', () => {
  let t: TestServer;
  const CM = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    t = await startTestServer();
    for (const s of STORED) await t.server.backend.create(s.key, readFileSync(join(FIXTURES, `${s.fixture}.pb`)));
    for (const n of ['b', 'a']) {
      const r = await api(t.server, 'POST', CM, { metadata: { name: `fmt-${n}`, labels: { fmt: 'yes' } }, data: { key: 'on', n: '1', multi: 'line one\nline two' } });
      assert.equal(r.status, 201);
    }
  });
  after(async () => {
    await t.stop();
  });

  describe('protobuf', () => {
    for (const s of STORED) {
      it(`serves the stored ${s.fixture} fixture byte for byte as upstream encoded it`, async () => {
        const r = await fetchBytes(t, 'GET', s.path, PROTOBUF);
        assert.equal(r.status, 200, r.bytes.toString());
        assert.equal(r.type, PROTOBUF);
        const json = await api(t.server, 'GET', s.path);
        const rv = json.body.metadata.resourceVersion;
        assert.match(rv, /^\d+$/);
        // The one difference: resourceVersion is the storage revision, not the fixture's value
        // (Unknown.raw → ObjectMeta → resourceVersion).
        const fixture = readFileSync(join(FIXTURES, `${s.fixture}.pb`));
        const expected = Buffer.concat([K8S_PROTOBUF_MAGIC, replaceField(fixture.subarray(4), [2, 1, 6], Buffer.from(rv))]);
        assert.equal(r.bytes.toString('hex'), expected.toString('hex'));
      });
    }

    it('writes a list, a create and a patch result in protobuf; the JSON says the same', async () => {
      const list = await fetchBytes(t, 'GET', `${CM}?labelSelector=fmt%3Dyes`, `${PROTOBUF}, application/json`);
      assert.equal(list.status, 200);
      assert.equal(list.type, PROTOBUF);
      const decoded = decodeEnvelope(list.bytes, 'k8s.io.api.core.v1.ConfigMapList');
      const asJson = (await api(t.server, 'GET', `${CM}?labelSelector=fmt%3Dyes`)).body;
      assert.equal(decoded.kind, 'ConfigMapList');
      assert.deepEqual(decoded.items, asJson.items);
      assert.equal(decoded.metadata.resourceVersion, asJson.metadata.resourceVersion);

      const created = await fetchBytes(t, 'POST', CM, PROTOBUF, JSON.stringify({ metadata: { name: 'fmt-created' }, data: { a: 'b' } }));
      assert.equal(created.status, 201);
      assert.equal(created.type, PROTOBUF);
      const obj = decodeEnvelope(created.bytes, 'k8s.io.api.core.v1.ConfigMap');
      assert.deepEqual([obj.apiVersion, obj.kind, obj.metadata.name, obj.data], ['v1', 'ConfigMap', 'fmt-created', { a: 'b' }]);

      const patched = await fetch(`${t.server.url}${CM}/fmt-created`, {
        method: 'PATCH',
        headers: { accept: PROTOBUF, 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ data: { a: 'c' } }),
      });
      assert.equal(patched.status, 200);
      assert.deepEqual(decodeEnvelope(Buffer.from(await patched.arrayBuffer()), 'k8s.io.api.core.v1.ConfigMap').data, { a: 'c' });
    });

    it('sends Status errors in protobuf when protobuf was asked for', async () => {
      const r = await fetchBytes(t, 'GET', `${CM}/missing`, PROTOBUF);
      assert.equal(r.status, 404);
      assert.equal(r.type, PROTOBUF);
      assert.deepEqual(decodeEnvelope(r.bytes, 'k8s.io.apimachinery.pkg.apis.meta.v1.Status'), {
        apiVersion: 'v1',
        kind: 'Status',
        metadata: {},
        status: 'Failure',
        message: 'configmaps "missing" not found',
        reason: 'NotFound',
        details: { name: 'missing', kind: 'configmaps' },
        code: 404,
      });
    });

    it('encodes a Status as upstream does (the Status fixture)', async () => {
      const { encodeBody } = await import('../../src/endpoints/response/encode.js');
      const fixture = JSON.parse(readFileSync(join(FIXTURES, 'core.v1.Status.json'), 'utf8'));
      const bytes = encodeBody(PROTOBUF, fixture, undefined);
      assert.equal(Buffer.from(bytes).toString('hex'), readFileSync(join(FIXTURES, 'core.v1.Status.pb')).toString('hex'));
    });

    it('serves PartialObjectMetadataList in protobuf, and refuses a protobuf Table (406)', async () => {
      const partial = await fetchBytes(t, 'GET', `${CM}?labelSelector=fmt%3Dyes`, `${PROTOBUF};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`);
      assert.equal(partial.status, 200);
      assert.equal(partial.type, PROTOBUF);
      const decoded = decodeEnvelope(partial.bytes, 'k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList');
      assert.equal(decoded.kind, 'PartialObjectMetadataList');
      assert.deepEqual(decoded.items.map((i: Json) => i.metadata.name), ['fmt-a', 'fmt-b']);
      const table = await api(t.server, 'GET', CM, undefined, { accept: `${PROTOBUF};as=Table;g=meta.k8s.io;v=v1` });
      assert.equal(table.status, 406);
      assert.equal(table.body.message, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    });
  });

  describe('YAML', () => {
    it('writes objects and lists as YAML that PyYAML reads back to the JSON, keys sorted', async () => {
      for (const path of [`${CM}/fmt-a`, `${CM}?labelSelector=fmt%3Dyes`, STORED[0]!.path]) {
        const r = await fetchBytes(t, 'GET', path, 'application/yaml');
        assert.equal(r.status, 200);
        assert.equal(r.type, 'application/yaml');
        const text = r.bytes.toString('utf8');
        assert.deepEqual(pyYaml(text), (await api(t.server, 'GET', path)).body, path);
        const top = text.split('\n').filter((l) => /^[a-zA-Z]/.test(l)).map((l) => l.split(':')[0]);
        assert.deepEqual(top, [...top].sort(), path);
      }
      const one = (await fetchBytes(t, 'GET', `${CM}/fmt-a`, 'application/yaml')).bytes.toString('utf8');
      assert.ok(one.startsWith('apiVersion: v1\ndata:\n'), one);
      assert.match(one, /^ {2}key: "on"$/m, 'YAML 1.1 booleans stay strings');
    });

    it('writes Tables and Status errors as YAML', async () => {
      const table = await fetchBytes(t, 'GET', CM, 'application/yaml;as=Table;g=meta.k8s.io;v=v1');
      assert.equal(table.status, 200);
      const parsed = pyYaml(table.bytes.toString('utf8')) as Json;
      assert.equal(parsed.kind, 'Table');
      assert.deepEqual(parsed.columnDefinitions.map((c: Json) => c.name), ['Name', 'Data', 'Age']);
      const missing = await fetchBytes(t, 'GET', `${CM}/missing`, 'application/yaml');
      assert.equal(missing.status, 404);
      assert.equal(missing.type, 'application/yaml');
      assert.deepEqual(pyYaml(missing.bytes.toString('utf8')), (await api(t.server, 'GET', `${CM}/missing`)).body);
    });
  });

  describe('a kind without messages (custom resource)', () => {
    const gadgets = openApiResource('Gadget', 'gadgets', { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }).definition;

    it('refuses protobuf with 406 and falls back to JSON when the client allows it', async () => {
      const uninstall = t.server.installResource(gadgets);
      try {
        const path = '/apis/example.com/v1/namespaces/default/gadgets';
        const created = await api(t.server, 'POST', path, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { x: 1 } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const only = await api(t.server, 'GET', `${path}/g`, undefined, { accept: PROTOBUF });
        assert.equal(only.status, 406);
        assert.deepEqual(only.body, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
          reason: 'NotAcceptable',
          code: 406,
        });
        const fallback = await api(t.server, 'GET', `${path}/g`, undefined, { accept: `${PROTOBUF}, application/json` });
        assert.equal(fallback.status, 200);
        assert.equal(fallback.headers.get('content-type'), 'application/json');
        assert.deepEqual(fallback.body.spec, { x: 1 });
        const yaml = await fetchBytes(t, 'GET', `${path}/g`, 'application/yaml');
        assert.equal(yaml.type, 'application/yaml');
        assert.deepEqual((pyYaml(yaml.bytes.toString('utf8')) as Json).spec, { x: 1 });
        const partial = await fetchBytes(t, 'GET', path, `${PROTOBUF};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`);
        assert.equal(partial.status, 200, 'partial metadata has messages whatever the kind');
      } finally {
        uninstall();
      }
    });
  });
});
