/**
 * Deletion safety and collections: deletecollection with label and field selectors on
 * every kind upstream serves it on (discovery agrees), its answer (the list of what was
 * deleted), and the namespaces no one may delete (real kubectl 1.33 prints upstream's
 * message).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

describe('deletion safety and collections', () => {
  let t: TestServer;
  const NS = 'dc';
  const CM = `/api/v1/namespaces/${NS}/configmaps`;
  const call = (method: string, path: string, body?: unknown) => api(t.server, method, path, body);

  before(async () => {
    t = await startTestServer();
    assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(() => t.stop());

  it('deletes what the label selector selects and answers the list of it', async () => {
    for (const [name, tier] of [['a', 'web'], ['b', 'web'], ['c', 'db']]) {
      assert.equal((await call('POST', CM, { metadata: { name, labels: { tier } } })).status, 201);
    }
    const r = await call('DELETE', `${CM}?labelSelector=tier%3Dweb`);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'ConfigMapList');
    assert.equal(r.body.apiVersion, 'v1');
    assert.deepEqual(r.body.items.map((i: Json) => i.metadata.name), ['a', 'b']);
    assert.equal(r.body.items[0].metadata.deletionTimestamp, undefined);
    const left = await call('GET', CM);
    assert.deepEqual(left.body.items.map((i: Json) => i.metadata.name), ['c']);
  });

  it('deletes what the field selector selects; dryRun deletes nothing', async () => {
    assert.equal((await call('POST', CM, { metadata: { name: 'd' } })).status, 201);
    const dry = await call('DELETE', `${CM}?fieldSelector=metadata.name%3Dd&dryRun=All`);
    assert.equal(dry.status, 200);
    assert.deepEqual(dry.body.items.map((i: Json) => i.metadata.name), ['d']);
    assert.equal((await call('GET', `${CM}/d`)).status, 200);
    const r = await call('DELETE', `${CM}?fieldSelector=metadata.name%3Dd`);
    assert.deepEqual(r.body.items.map((i: Json) => i.metadata.name), ['d']);
    assert.equal((await call('GET', `${CM}/d`)).status, 404);
    const none = await call('DELETE', `${CM}?fieldSelector=metadata.name%3Dnothing`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.items, []);
  });

  it('serves deletecollection on every kind but namespaces (and componentstatuses, bindings), in discovery too', async () => {
    const core = await call('GET', '/api/v1');
    for (const r of core.body.resources as Json[]) {
      if (r.name.includes('/')) continue;
      assert.equal(r.verbs.includes('deletecollection'), !['namespaces', 'componentstatuses', 'bindings'].includes(r.name), r.name);
    }
    const r = await call('DELETE', '/api/v1/namespaces');
    assert.equal(r.status, 405);
  });

  it('forbids deleting default, kube-system and kube-public, as upstream; kube-node-lease may go', async () => {
    for (const name of ['default', 'kube-system', 'kube-public']) {
      const r = await call('DELETE', `/api/v1/namespaces/${name}`);
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        reason: 'Forbidden',
        details: { name, kind: 'namespaces' },
        code: 403,
      });
      assert.equal((await call('GET', `/api/v1/namespaces/${name}`)).body.status.phase, 'Active');
    }
    const out = await runKubectl(33, t.server.kubeconfigPath, ['delete', 'ns', 'kube-system']);
    assert.equal(out.code, 1);
    assert.equal(out.stderr, 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n');
    const lease = await call('DELETE', '/api/v1/namespaces/kube-node-lease');
    assert.equal(lease.status, 200);
    assert.equal(lease.body.status.phase, 'Terminating');
  });

  it('checks uid and resourceVersion preconditions with upstream messages', async () => {
    const c = await call('POST', CM, { metadata: { name: 'pre' } });
    const r = await call('DELETE', `${CM}/pre`, { preconditions: { resourceVersion: '1' } });
    assert.equal(r.status, 409);
    assert.equal(
      r.body.message,
      `Operation cannot be fulfilled on ConfigMap "pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${c.body.metadata.resourceVersion}). The object might have been modified`,
    );
    const deploy = await call('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'pre-d' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const d = await call('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/pre-d`, { preconditions: { uid: 'nope' } });
    assert.equal(d.status, 409);
    assert.deepEqual(d.body.details, { name: 'pre-d', group: 'apps', kind: 'Deployment' });
    assert.equal(
      d.body.message,
      `Operation cannot be fulfilled on Deployment.apps "pre-d": the UID in the precondition (nope) does not match the UID in record (${deploy.body.metadata.uid}). The object might have been deleted and then recreated`,
    );
  });
});
