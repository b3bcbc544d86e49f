/** Object lifecycle: delete options, protobuf DeleteOptions, finalizers, namespace finalization, create-on-PUT. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeProtobufObject, kubeJsonToMessage, writeK8sEnvelope } from '../../src/machinery/schema/index.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const CM = (ns: string): string => `/api/v1/namespaces/${ns}/configmaps`;

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

describe('delete', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('rejects an unsupported dryRun value (query or body) and keeps the object', async () => {
    assert.equal((await api(ts.server, 'POST', CM('default'), { metadata: { name: 'keep-me' } })).status, 201);
    for (const [path, body] of [
      [`${CM('default')}/keep-me?dryRun=foo`, undefined],
      [`${CM('default')}/keep-me`, { dryRun: ['foo'] }],
      [`${CM('default')}?dryRun=Maybe`, undefined],
    ] as const) {
      const r = await api(ts.server, 'DELETE', path, body);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.reason, 'BadRequest');
      assert.match(r.body.message, /^Invalid dry run value: "(foo|Maybe)"; valid values: "All"$/);
    }
    assert.equal((await api(ts.server, 'GET', `${CM('default')}/keep-me`)).status, 200);
  });

  it('accepts DeleteOptions as a protobuf body', async () => {
    assert.equal((await api(ts.server, 'POST', CM('default'), { metadata: { name: 'pb-del' } })).status, 201);
    const typeName = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';
    const raw = encodeProtobufObject(typeName, kubeJsonToMessage(typeName, { propagationPolicy: 'Background' }).message);
    const res = await fetch(`${ts.server.url}${CM('default')}/pb-del`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' },
      body: Buffer.from(writeK8sEnvelope({ apiVersion: 'v1', kind: 'DeleteOptions', raw })),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { status: string }).status, 'Success');
    assert.equal((await api(ts.server, 'GET', `${CM('default')}/pb-del`)).status, 404);
  });

  it('keeps an object with finalizers, marked for deletion, until they are removed', async () => {
    const created = await api(ts.server, 'POST', CM('default'), { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    assert.equal(created.status, 201);
    const del = await api(ts.server, 'DELETE', `${CM('default')}/held`);
    assert.equal(del.status, 200);
    assert.equal(del.body.kind, 'ConfigMap');
    assert.ok(del.body.metadata.deletionTimestamp);
    assert.equal(del.body.metadata.deletionGracePeriodSeconds, 0);
    const again = await api(ts.server, 'DELETE', `${CM('default')}/held`);
    assert.equal(again.body.metadata.deletionTimestamp, del.body.metadata.deletionTimestamp);
    const patched = await api(ts.server, 'PATCH', `${CM('default')}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    assert.equal((await api(ts.server, 'GET', `${CM('default')}/held`)).status, 404);
  });

  it('a namespace stays Terminating while its contents linger, and goes once they are gone', async () => {
    assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: 'held-ns' } })).status, 201);
    assert.equal((await api(ts.server, 'POST', CM('held-ns'), { metadata: { name: 'plain' } })).status, 201);
    assert.equal((await api(ts.server, 'POST', CM('held-ns'), { metadata: { name: 'held', finalizers: ['example.com/hold'] } })).status, 201);
    const del = await api(ts.server, 'DELETE', '/api/v1/namespaces/held-ns');
    assert.equal(del.status, 200);
    assert.equal(del.body.status.phase, 'Terminating');
    await waitFor(async () => (await api(ts.server, 'GET', `${CM('held-ns')}/plain`)).status === 404);
    await new Promise((r) => setTimeout(r, 1500));
    const ns = await api(ts.server, 'GET', '/api/v1/namespaces/held-ns');
    assert.equal(ns.status, 200, 'the namespace waits for the finalizer-held object');
    assert.deepEqual(ns.body.spec.finalizers, ['kubernetes']);
    const created = await api(ts.server, 'POST', CM('held-ns'), { metadata: { name: 'late' } });
    assert.equal(created.status, 403);
    assert.equal(created.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace held-ns because it is being terminated');
    const patched = await api(ts.server, 'PATCH', `${CM('held-ns')}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    await waitFor(async () => (await api(ts.server, 'GET', '/api/v1/namespaces/held-ns')).status === 404);
  });

  it('a watch with a timeoutSeconds beyond what timers can hold stays open', async () => {
    const controller = new AbortController();
    const res = await fetch(`${ts.server.url}${CM('default')}?watch=1&timeoutSeconds=99999999999`, { signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await Promise.race([reader.read().then(() => 'data-or-end'), new Promise((r) => setTimeout(() => r('still-open'), 300))]);
    // The initial ADDED events arrive, and the stream is not closed by an overflowing timer.
    assert.equal(first, 'data-or-end');
    let ended = false;
    const pending = reader.read().then(
      (r) => (ended = r.done === true),
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ended, false);
    controller.abort();
    await pending;
  });
});

describe('PUT to a missing name', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('creates services, endpoints and events (201); other kinds are 404', async () => {
    const svc = { metadata: { name: 'put-created' }, spec: { ports: [{ port: 80 }] } };
    const created = await api(ts.server, 'PUT', '/api/v1/namespaces/default/services/put-created', svc);
    assert.equal(created.status, 201);
    assert.equal(created.body.kind, 'Service');
    assert.equal(created.body.spec.ports[0].targetPort, 80);
    const ep = await api(ts.server, 'PUT', '/api/v1/namespaces/default/endpoints/put-created', { metadata: { name: 'put-created' } });
    assert.equal(ep.status, 201);
    const cm = await api(ts.server, 'PUT', '/api/v1/namespaces/default/configmaps/put-missing', { metadata: { name: 'put-missing' } });
    assert.equal(cm.status, 404);
    assert.equal(cm.body.message, 'configmaps "put-missing" not found');
  });

  it('does not create when the body names a resourceVersion', async () => {
    const r = await api(ts.server, 'PUT', '/api/v1/namespaces/default/services/with-rv', {
      metadata: { name: 'with-rv', resourceVersion: '5' },
      spec: { ports: [{ port: 80 }] },
    });
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'services "with-rv" not found');
  });

  it('resolves 20 concurrent PUTs of a missing service: one 201, the rest 200, the last write stored', async () => {
    const path = '/api/v1/namespaces/default/services/put-race';
    const bodies = Array.from({ length: 20 }, (_, i) => ({
      metadata: { name: 'put-race', labels: { writer: String(i) } },
      spec: { ports: [{ port: 80 }] },
    }));
    const results = await Promise.all(bodies.map((b) => api(ts.server, 'PUT', path, b)));
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [...Array(19).fill(200), 201], JSON.stringify(results.filter((r) => r.status >= 300).map((r) => r.body)));
    const uids = new Set(results.map((r) => r.body.metadata.uid));
    assert.equal(uids.size, 1, 'every write applied to the one created object');
    const last = results.reduce((a, b) => (Number(a.body.metadata.resourceVersion) > Number(b.body.metadata.resourceVersion) ? a : b));
    const stored = await api(ts.server, 'GET', path);
    assert.deepEqual(stored.body.metadata.labels, last.body.metadata.labels);
    assert.equal(stored.body.metadata.resourceVersion, last.body.metadata.resourceVersion);
  });
});
