/** HTTP gateway against a real server: CRUD, error Status shapes, patch, /status, delete. */
import { deploymentManifest as deployment, failureStatus as failure } from '../helpers/objects.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';


const pod = (name: string): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('HTTP API: CRUD and errors', () => {
  let t: TestServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(t.server, method, path, body, headers);

  before(async () => {
    t = await startTestServer();
    for (const ns of ['team-a', 'team-b']) {
      const r = await call('POST', '/api/v1/namespaces', { metadata: { name: ns } });
      assert.equal(r.status, 201);
    }
  });
  after(async () => {
    await t.stop();
  });

  describe('create, get, update, list', () => {
    it('creates with 201 and system fields, and reads it back', async () => {
      const r = await call('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { color: 'blue' } });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.equal(r.body.kind, 'ConfigMap');
      assert.equal(r.body.apiVersion, 'v1');
      const m = r.body.metadata;
      assert.equal(m.name, 'settings');
      assert.equal(m.namespace, 'default');
      assert.match(m.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(m.resourceVersion, /^\d+$/);
      assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(r.body.data, { color: 'blue' });

      const g = await call('GET', `${CM}/settings`);
      assert.equal(g.status, 200);
      assert.deepEqual(g.body, r.body);
    });

    it('creates without kind/apiVersion in the body (client-node style)', async () => {
      const r = await call('POST', CM, { metadata: { name: 'bare' }, data: { a: '1' } });
      assert.equal(r.status, 201);
      assert.equal(r.body.kind, 'ConfigMap');
      assert.equal(r.body.apiVersion, 'v1');
      assert.equal(r.body.metadata.namespace, 'default');
    });

    it('treats a missing request Content-Type as JSON', async () => {
      const res = await fetch(`${t.server.url}${CM}`, { method: 'POST', body: Buffer.from(JSON.stringify({ metadata: { name: 'no-ct' } })) });
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.status, 201, await res.clone().text());
      assert.equal(((await res.json()) as Json).metadata.name, 'no-ct');
    });

    it('generates a name from generateName', async () => {
      const r = await call('POST', CM, { metadata: { generateName: 'gen-' } });
      assert.equal(r.status, 201);
      assert.match(r.body.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(r.body.metadata.generateName, 'gen-');
      const g = await call('GET', `${CM}/${r.body.metadata.name}`);
      assert.equal(g.status, 200);
    });

    it('updates with PUT and bumps the resourceVersion; a stale resourceVersion is a 409 Conflict', async () => {
      const c = await call('POST', CM, { metadata: { name: 'upd' }, data: { v: '1' } });
      const rv1 = c.body.metadata.resourceVersion;
      const u = await call('PUT', `${CM}/upd`, { ...c.body, data: { v: '2' } });
      assert.equal(u.status, 200);
      assert.deepEqual(u.body.data, { v: '2' });
      assert.ok(Number(u.body.metadata.resourceVersion) > Number(rv1));
      assert.equal(u.body.metadata.uid, c.body.metadata.uid);
      assert.equal(u.body.metadata.creationTimestamp, c.body.metadata.creationTimestamp);

      const stale = await call('PUT', `${CM}/upd`, { ...c.body, data: { v: '3' } });
      assert.equal(stale.status, 409);
      assert.deepEqual(
        stale.body,
        failure(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again', {
          name: 'upd',
          kind: 'configmaps',
        }),
      );
      const g = await call('GET', `${CM}/upd`);
      assert.deepEqual(g.body.data, { v: '2' });
    });

    it('404s a PUT of a missing configmap (no create on update)', async () => {
      const r = await call('PUT', `${CM}/absent`, { metadata: { name: 'absent' } });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, failure(404, 'NotFound', 'configmaps "absent" not found', { name: 'absent', kind: 'configmaps' }));
    });

    it('dryRun=All creates nothing but answers the would-be object', async () => {
      const r = await call('POST', `${CM}?dryRun=All`, { metadata: { name: 'dry' }, data: { a: 'b' } });
      assert.equal(r.status, 201);
      assert.equal(r.body.metadata.name, 'dry');
      assert.deepEqual(r.body.data, { a: 'b' });
      assert.equal((await call('GET', `${CM}/dry`)).status, 404);
      const bad = await call('POST', `${CM}?dryRun=Some`, { metadata: { name: 'dry' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'Invalid dry run value: "Some"; valid values: "All"');
    });

    it('rejects a PUT whose body names another object', async () => {
      const r = await call('PUT', `${CM}/upd`, { metadata: { name: 'other' } });
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, 'the name of the object (other) does not match the name on the URL (upd)');
    });

    it('serves cluster-scoped CRUD', async () => {
      const c = await call('POST', '/api/v1/namespaces', { metadata: { name: 'cluster-crud', labels: { x: 'y' } } });
      assert.equal(c.status, 201);
      assert.equal(c.body.kind, 'Namespace');
      assert.equal('namespace' in c.body.metadata, false);
      assert.equal(c.body.status.phase, 'Active');
      const g = await call('GET', '/api/v1/namespaces/cluster-crud');
      assert.equal(g.status, 200);
      assert.deepEqual(g.body.metadata.labels, { 'kubernetes.io/metadata.name': 'cluster-crud', x: 'y' });
      const l = await call('GET', '/api/v1/namespaces');
      assert.equal(l.body.kind, 'NamespaceList');
      assert.deepEqual(
        l.body.items.map((i: Json) => i.metadata.name).filter((n: string) => n === 'cluster-crud' || n === 'default'),
        ['cluster-crud', 'default'],
      );
    });

    it('lists across namespaces at /api/v1/configmaps with typed list shape', async () => {
      await call('POST', '/api/v1/namespaces/team-a/configmaps', { metadata: { name: 'x1' } });
      await call('POST', '/api/v1/namespaces/team-b/configmaps', { metadata: { name: 'x2' } });
      const l = await call('GET', '/api/v1/configmaps');
      assert.equal(l.status, 200);
      assert.equal(l.body.kind, 'ConfigMapList');
      assert.equal(l.body.apiVersion, 'v1');
      assert.match(l.body.metadata.resourceVersion, /^\d+$/);
      const names = l.body.items.map((i: Json) => `${i.metadata.namespace}/${i.metadata.name}`);
      assert.ok(names.includes('team-a/x1') && names.includes('team-b/x2') && names.includes('default/settings'), names.join());
      const a = await call('GET', '/api/v1/namespaces/team-a/configmaps');
      assert.deepEqual(a.body.items.map((i: Json) => i.metadata.name), ['x1']);
    });

    it('answers an empty list with items: [] (never null)', async () => {
      const r = await call('GET', '/apis/batch/v1/namespaces/team-a/jobs');
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'JobList');
      assert.equal(r.body.apiVersion, 'batch/v1');
      assert.deepEqual(r.body.items, []);
      assert.equal('continue' in r.body.metadata, false);
    });

    it('rejects creates across namespaces and with a namespace mismatch', async () => {
      const all = await call('POST', '/api/v1/configmaps', { metadata: { name: 'nowhere' } });
      assert.equal(all.status, 404);
      assert.equal(all.body.message, 'the server could not find the requested resource');
      const mismatch = await call('POST', CM, { metadata: { name: 'mm', namespace: 'team-a' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.reason, 'BadRequest');
      assert.equal(mismatch.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
    });
  });

  describe('error Status shapes', () => {
    it('404s a create in a missing namespace', async () => {
      const r = await call('POST', '/api/v1/namespaces/nope/configmaps', { metadata: { name: 'a' } });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, failure(404, 'NotFound', 'namespaces "nope" not found', { name: 'nope', kind: 'namespaces' }));
    });

    it('409s a duplicate create with AlreadyExists', async () => {
      await call('POST', CM, { metadata: { name: 'dup' } });
      const r = await call('POST', CM, { metadata: { name: 'dup' } });
      assert.equal(r.status, 409);
      assert.deepEqual(r.body, failure(409, 'AlreadyExists', 'configmaps "dup" already exists', { name: 'dup', kind: 'configmaps' }));
    });

    it('404s a missing object with {name, group, kind}', async () => {
      const r = await call('GET', `${CM}/missing`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, failure(404, 'NotFound', 'configmaps "missing" not found', { name: 'missing', kind: 'configmaps' }));
      const d = await call('GET', `${DEPLOY}/missing`);
      assert.deepEqual(d.body, failure(404, 'NotFound', 'deployments.apps "missing" not found', { name: 'missing', group: 'apps', kind: 'deployments' }));
      const ns = await call('GET', '/api/v1/namespaces/missing');
      assert.deepEqual(ns.body, failure(404, 'NotFound', 'namespaces "missing" not found', { name: 'missing', kind: 'namespaces' }));
    });

    it('422s an invalid name with causes', async () => {
      const r = await call('POST', CM, { metadata: { name: 'Bad_Name' } });
      assert.equal(r.status, 422);
      const detail =
        "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
      assert.deepEqual(
        r.body,
        failure(422, 'Invalid', `ConfigMap "Bad_Name" is invalid: metadata.name: ${detail}`, {
          name: 'Bad_Name',
          kind: 'ConfigMap',
          causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.name' }],
        }),
      );
    });

    it('422s a missing name with Required value', async () => {
      const r = await call('POST', CM, { metadata: {} });
      assert.equal(r.status, 422);
      assert.equal(r.body.message, 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
      assert.deepEqual(r.body.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    });

    it('fieldValidation=Strict rejects unknown fields with 400', async () => {
      const r = await call('POST', `${CM}?fieldValidation=Strict`, { metadata: { name: 'strict' }, spec: { foo: 1 } });
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, failure(400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"'));
      const nested = await call('POST', `${DEPLOY}?fieldValidation=Strict`, { ...deployment('strict'), spec: { ...deployment('strict').spec, foo: 1 } });
      assert.equal(nested.status, 400);
      assert.equal(nested.body.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"');
      assert.equal((await call('GET', `${CM}/strict`)).status, 404);
    });

    it('fieldValidation=Warn succeeds with a Warning header; Ignore is silent', async () => {
      const r = await call('POST', `${CM}?fieldValidation=Warn`, { metadata: { name: 'warn' }, x: 1 });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('warning'), '299 - "unknown field \\"x\\""');
      assert.equal('x' in r.body, false);
      const i = await call('POST', `${CM}?fieldValidation=Ignore`, { metadata: { name: 'ignore' }, x: 1 });
      assert.equal(i.status, 201);
      assert.equal(i.headers.get('warning'), null);
      const bad = await call('POST', `${CM}?fieldValidation=Loud`, { metadata: { name: 'loud' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'fieldValidation parameter unsupported: "Loud"; must be one of Ignore, Warn or Strict');
    });

    it('400s a type error with the Go json message', async () => {
      const r = await call('POST', CM, { metadata: { name: 'typed' }, data: 5 });
      assert.equal(r.status, 400);
      assert.deepEqual(
        r.body,
        failure(400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type map[string]string'),
      );
    });

    it('400s malformed JSON', async () => {
      const r = await call('POST', CM, '{"metadata":');
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input ({"metadata":)`);
    });

    it('400s a body whose kind or apiVersion does not match the resource', async () => {
      const k = await call('POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } });
      assert.equal(k.status, 400);
      assert.deepEqual(k.body, failure(400, 'BadRequest', 'Secret in version "v1" cannot be handled as a ConfigMap: the kind in the body does not match the resource'));
      const v = await call('POST', DEPLOY, { ...deployment('v'), apiVersion: 'apps/v1beta1' });
      assert.equal(v.status, 400);
      assert.equal(v.body.message, 'the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)');
    });

    it('405s POST to an item path and PUT/PATCH to a collection', async () => {
      const post = await call('POST', `${CM}/settings`, { metadata: { name: 'settings' } });
      assert.equal(post.status, 405);
      assert.deepEqual(post.body, failure(405, 'MethodNotAllowed', 'create is not supported on resources of kind "configmaps"', { kind: 'configmaps' }));
      const put = await call('PUT', CM, { metadata: { name: 'settings' } });
      assert.equal(put.status, 405);
      assert.deepEqual(put.body, failure(405, 'MethodNotAllowed', 'update is not supported on resources of kind "configmaps"', { kind: 'configmaps' }));
      const patch = await call('PATCH', DEPLOY, { spec: {} }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(patch.status, 405);
      assert.equal(patch.body.message, 'patch is not supported on resources of kind "deployments.apps"');
    });

    it('415s an unsupported request Content-Type with the accepted list', async () => {
      const r = await call('POST', CM, 'name: x', { 'content-type': 'text/plain' });
      assert.equal(r.status, 415);
      assert.equal(r.body.reason, 'UnsupportedMediaType');
      assert.equal(r.body.code, 415);
      assert.equal(
        r.body.message,
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
    });

    it('accepts a YAML body', async () => {
      const r = await call('POST', CM, 'metadata:\n  name: from-yaml\ndata:\n  k: v\n', { 'content-type': 'application/yaml' });
      assert.equal(r.status, 201);
      assert.deepEqual(r.body.data, { k: 'v' });
    });
  });

  describe('patch', () => {
    it('applies a merge patch (null deletes)', async () => {
      await call('POST', CM, { metadata: { name: 'mp', labels: { a: '1', b: '2' } }, data: { x: '1' } });
      const r = await call('PATCH', `${CM}/mp?fieldManager=kubectl-label`, { metadata: { labels: { b: null, c: '3' } }, data: { y: '2' } }, {
        'content-type': 'application/merge-patch+json',
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.labels, { a: '1', c: '3' });
      assert.deepEqual(r.body.data, { x: '1', y: '2' });
    });

    it('applies a JSON patch; a stale resourceVersion replace in it is a 409 Conflict', async () => {
      const r = await call('PATCH', `${CM}/mp`, [{ op: 'add', path: '/metadata/labels/q', value: '3' }, { op: 'remove', path: '/data/x' }], {
        'content-type': 'application/json-patch+json',
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.labels, { a: '1', c: '3', q: '3' });
      assert.deepEqual(r.body.data, { y: '2' });
      const rv = r.body.metadata.resourceVersion;
      const guarded = await call('PATCH', `${CM}/mp`, [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }, { op: 'add', path: '/data/z', value: '1' }], {
        'content-type': 'application/json-patch+json',
      });
      assert.equal(guarded.status, 409);
      assert.equal(guarded.body.reason, 'Conflict');
      assert.equal((await call('GET', `${CM}/mp`)).body.metadata.resourceVersion, rv);
    });

    it('applies a strategic merge patch to a configmap', async () => {
      const r = await call('PATCH', `${CM}/mp`, { data: { s: 'smp' } }, { 'content-type': 'application/strategic-merge-patch+json' });
      assert.equal(r.status, 200);
      assert.equal(r.body.data.s, 'smp');
    });

    it('serves apply-patch (server-side apply) and 415s unknown patch types', async () => {
      const r = await call('PATCH', `${CM}/mp-apply?fieldManager=kubectl&force=false`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mp-apply' }, data: { k: 'v' } }, {
        'content-type': 'application/apply-patch+yaml',
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.body.data, { k: 'v' });
      assert.deepEqual(
        r.body.metadata.managedFields.map((m: Record<string, unknown>) => [m.manager, m.operation, m.apiVersion, m.fieldsType, m.fieldsV1]),
        [['kubectl', 'Apply', 'v1', 'FieldsV1', { 'f:data': { 'f:k': {} } }]],
      );
      const j = await call('PATCH', `${CM}/mp`, { data: {} }, { 'content-type': 'application/json' });
      assert.equal(j.status, 415);
      assert.equal(j.body.reason, 'UnsupportedMediaType');
    });

    it('404s a patch of a missing object', async () => {
      const r = await call('PATCH', `${CM}/nope`, { data: {} }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(r.status, 404);
      assert.equal(r.body.message, 'configmaps "nope" not found');
    });
  });

  describe('status subresource and generation', () => {
    it('main PUT cannot change status; spec changes bump generation, label changes do not', async () => {
      const c = await call('POST', DEPLOY, deployment('web'));
      assert.equal(c.status, 201);
      assert.equal(c.body.metadata.generation, 1);
      assert.deepEqual(c.body.status, {});

      const put = await call('PUT', `${DEPLOY}/web`, { ...c.body, spec: { ...c.body.spec, replicas: 3 }, status: { replicas: 7 } });
      assert.equal(put.status, 200);
      assert.equal(put.body.spec.replicas, 3);
      assert.deepEqual(put.body.status, {});
      assert.equal(put.body.metadata.generation, 2);

      const labels = await call('PATCH', `${DEPLOY}/web`, { metadata: { labels: { tier: 'fe' } } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(labels.status, 200);
      assert.equal(labels.body.metadata.generation, 2);
    });

    it('PUT and PATCH on /status change only status and never generation', async () => {
      const cur = (await call('GET', `${DEPLOY}/web`)).body;
      const put = await call('PUT', `${DEPLOY}/web/status`, { ...cur, spec: { ...cur.spec, replicas: 9 }, status: { replicas: 3, observedGeneration: 2 } });
      assert.equal(put.status, 200);
      assert.equal(put.body.kind, 'Deployment');
      assert.equal(put.body.spec.replicas, 3);
      assert.deepEqual(put.body.status, { replicas: 3, observedGeneration: 2 });
      assert.equal(put.body.metadata.generation, 2);

      const patch = await call('PATCH', `${DEPLOY}/web/status`, { spec: { replicas: 5 }, metadata: { labels: { x: 'y' } }, status: { readyReplicas: 1 } }, {
        'content-type': 'application/merge-patch+json',
      });
      assert.equal(patch.status, 200);
      assert.equal(patch.body.spec.replicas, 3);
      assert.deepEqual(patch.body.metadata.labels, { tier: 'fe' });
      assert.deepEqual(patch.body.status, { replicas: 3, observedGeneration: 2, readyReplicas: 1 });
      assert.equal(patch.body.metadata.generation, 2);

      const get = await call('GET', `${DEPLOY}/web/status`);
      assert.equal(get.status, 200);
      assert.deepEqual(get.body.status, patch.body.status);
    });

    it('serves /api/v1/namespaces/NAME/status as the namespace status subresource', async () => {
      const g = await call('GET', '/api/v1/namespaces/team-a/status');
      assert.equal(g.status, 200);
      assert.equal(g.body.kind, 'Namespace');
      assert.equal(g.body.metadata.name, 'team-a');
      assert.equal(g.body.status.phase, 'Active');
      const bad = await call('PUT', '/api/v1/namespaces/team-a/status', { ...g.body, status: { phase: 'Terminating' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.message, 'Namespace "team-a" is invalid: status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty');
      const labels = await call('PATCH', '/api/v1/namespaces/team-a/status', { metadata: { labels: { ignored: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal(labels.status, 200);
      assert.equal(labels.body.metadata.labels.ignored, undefined);
    });

    it('rejects verbs a subresource does not serve and unknown subresources', async () => {
      const del = await call('DELETE', `${DEPLOY}/web/status`);
      assert.equal(del.status, 405);
      assert.deepEqual(del.body, failure(405, 'MethodNotAllowed', 'delete is not supported on resources of kind "deployments/status.apps"', { group: 'apps', kind: 'deployments/status' }));
      const unknown = await call('GET', `${CM}/settings/status`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.message, 'the server could not find the requested resource');
    });
  });

  describe('delete', () => {
    it('takes DeleteOptions as a JSON body and answers a success Status for configmaps', async () => {
      const c = await call('POST', CM, { metadata: { name: 'del-body' } });
      const r = await call('DELETE', `${CM}/del-body`, { propagationPolicy: 'Background' });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'del-body', kind: 'configmaps', uid: c.body.metadata.uid },
        code: 200,
      });
      const g = await call('GET', `${CM}/del-body`);
      assert.equal(g.status, 404);
    });

    it('takes DeleteOptions as query parameters', async () => {
      await call('POST', CM, { metadata: { name: 'del-query' } });
      const r = await call('DELETE', `${CM}/del-query?gracePeriodSeconds=0&propagationPolicy=Background`);
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'Success');
      assert.equal((await call('GET', `${CM}/del-query`)).status, 404);
    });

    it('honours uid and resourceVersion preconditions with 409', async () => {
      const c = await call('POST', CM, { metadata: { name: 'del-pre' } });
      const uid = c.body.metadata.uid;
      const rv = c.body.metadata.resourceVersion;
      const badUid = await call('DELETE', `${CM}/del-pre`, { preconditions: { uid: 'not-the-uid' } });
      assert.equal(badUid.status, 409);
      assert.deepEqual(
        badUid.body,
        // Upstream checks preconditions against the stored object first, naming the kind.
        failure(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ConfigMap "del-pre": the UID in the precondition (not-the-uid) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
          { name: 'del-pre', kind: 'ConfigMap' },
        ),
      );
      const badRv = await call('DELETE', `${CM}/del-pre`, { preconditions: { resourceVersion: '1' } });
      assert.equal(badRv.status, 409);
      assert.equal(
        badRv.body.message,
        `Operation cannot be fulfilled on ConfigMap "del-pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${rv}). The object might have been modified`,
      );
      const ok = await call('DELETE', `${CM}/del-pre`, { preconditions: { uid, resourceVersion: rv } });
      assert.equal(ok.status, 200);
    });

    it('404s deleting a missing object', async () => {
      const r = await call('DELETE', `${CM}/never`, { propagationPolicy: 'Background' });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, failure(404, 'NotFound', 'configmaps "never" not found', { name: 'never', kind: 'configmaps' }));
    });

    it('returns the deleted pod object', async () => {
      const c = await call('POST', '/api/v1/namespaces/default/pods', pod('doomed'));
      assert.equal(c.status, 201);
      const r = await call('DELETE', '/api/v1/namespaces/default/pods/doomed', { propagationPolicy: 'Background' });
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'Pod');
      assert.equal(r.body.apiVersion, 'v1');
      assert.equal(r.body.metadata.name, 'doomed');
      assert.equal(r.body.metadata.uid, c.body.metadata.uid);
      assert.equal((await call('GET', '/api/v1/namespaces/default/pods/doomed')).status, 404);
    });

    it('deletes a collection by label selector', async () => {
      for (const [name, app] of [['dc-1', 'web'], ['dc-2', 'web'], ['dc-3', 'db']] as const) {
        await call('POST', '/api/v1/namespaces/team-b/configmaps', { metadata: { name, labels: { app } } });
      }
      const r = await call('DELETE', '/api/v1/namespaces/team-b/configmaps?labelSelector=app%3Dweb');
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'ConfigMapList');
      assert.equal(r.body.apiVersion, 'v1');
      assert.deepEqual(r.body.items.map((i: Json) => i.metadata.name), ['dc-1', 'dc-2']);
      const left = await call('GET', '/api/v1/namespaces/team-b/configmaps');
      assert.deepEqual(left.body.items.map((i: Json) => i.metadata.name).sort(), ['dc-3', 'x2']);
    });

    it('deletes a namespace: Terminating, contents removed, then gone', async () => {
      assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: 'doomed-ns' } })).status, 201);
      assert.equal((await call('POST', '/api/v1/namespaces/doomed-ns/configmaps', { metadata: { name: 'inside' } })).status, 201);
      const r = await call('DELETE', '/api/v1/namespaces/doomed-ns', { propagationPolicy: 'Background' });
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'Namespace');
      assert.ok(r.body.metadata.deletionTimestamp, 'deletionTimestamp set');
      assert.equal(r.body.status.phase, 'Terminating');
      await until('namespace gone', async () => ((await call('GET', '/api/v1/namespaces/doomed-ns')).status === 404 ? true : undefined));
      const inside = await call('GET', '/api/v1/namespaces/doomed-ns/configmaps');
      assert.deepEqual(inside.body.items, []);
    });

    it('forbids creating in a terminating namespace', async () => {
      assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: 'stuck', finalizers: ['example.com/hold'] } })).status, 201);
      const d = await call('DELETE', '/api/v1/namespaces/stuck');
      assert.equal(d.status, 200);
      const r = await call('POST', '/api/v1/namespaces/stuck/configmaps', { metadata: { name: 'late' } });
      assert.equal(r.status, 403);
      assert.equal(r.body.reason, 'Forbidden');
      assert.equal(r.body.code, 403);
      assert.equal(r.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace stuck because it is being terminated');
    });

    it('omits an empty details.group on the terminating-namespace Forbidden, with upstream\'s NamespaceTerminating cause', async () => {
      const r = await call('POST', '/api/v1/namespaces/stuck/configmaps', { metadata: { name: 'late2' } });
      assert.deepEqual(r.body.details, {
        name: 'late2',
        kind: 'configmaps',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace stuck is being terminated', field: 'metadata.namespace' }],
      });
    });

    it('does not serve deletecollection on namespaces (405, nothing deleted)', async () => {
      const r = await call('DELETE', '/api/v1/namespaces?labelSelector=never-matches');
      assert.equal(r.status, 405);
      assert.deepEqual(r.body, failure(405, 'MethodNotAllowed', 'deletecollection is not supported on resources of kind "namespaces"', { kind: 'namespaces' }));
    });
  });
});
