/**
 * Acceptance: the real `@kubernetes/client-node` 1.4.0 (promise API, object parameters)
 * against a real server on the embedded store: CRUD, both patch content types, errors,
 * apps/v1 Deployments, a raw Watch and an informer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NS = 'client-node';
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RV = /^\d+$/;

let ts: TestServer;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

before(async () => {
  ts = await startTestServer();
  kc = new KubeConfig();
  kc.loadFromFile(ts.server.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});
after(async () => {
  await ts.stop();
});

/** Runs `fn`, which must throw an ApiException, and returns the exception and its parsed Status body. */
async function expectApiError(fn: () => Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
    const body = (err as ApiException<unknown>).body;
    return { code: (err as ApiException<unknown>).code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  assert.fail('expected the call to fail');
}

/** Resolves when `pred` holds, polling every 20 ms; rejects after `ms`. */
async function waitFor(pred: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('client-node CoreV1Api ConfigMaps', () => {
  let created: V1ConfigMap;

  it('creates a ConfigMap and returns the stored object', async () => {
    created = await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: 'node-cm', labels: { app: 'demo' } }, data: { color: 'blue', size: 'L' } },
    });
    assert.equal(created.kind, 'ConfigMap');
    assert.equal(created.apiVersion, 'v1');
    assert.equal(created.metadata?.name, 'node-cm');
    assert.equal(created.metadata?.namespace, NS);
    assert.deepEqual(created.metadata?.labels, { app: 'demo' });
    assert.match(created.metadata?.uid ?? '', UID);
    assert.match(created.metadata?.resourceVersion ?? '', RV);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    assert.ok(!Number.isNaN(created.metadata.creationTimestamp.getTime()), 'creationTimestamp parses as a date');
    assert.deepEqual(created.data, { color: 'blue', size: 'L' });
  });

  it('reads it back with identical fields', async () => {
    const got = await core.readNamespacedConfigMap({ name: 'node-cm', namespace: NS });
    assert.equal(got.metadata?.uid, created.metadata?.uid);
    assert.equal(got.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(got.metadata?.creationTimestamp?.getTime(), created.metadata?.creationTimestamp?.getTime());
    assert.deepEqual(got.data, { color: 'blue', size: 'L' });
  });

  it('lists it in a ConfigMapList', async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'node-cm-2' }, data: { n: '2' } } });
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    assert.equal(list.kind, 'ConfigMapList');
    assert.equal(list.apiVersion, 'v1');
    assert.match(list.metadata?.resourceVersion ?? '', RV);
    assert.deepEqual(
      list.items.map((i) => [i.metadata?.name, i.metadata?.namespace, i.data]),
      [
        ['node-cm', NS, { color: 'blue', size: 'L' }],
        ['node-cm-2', NS, { n: '2' }],
      ],
    );
    const selected = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'app=demo' });
    assert.deepEqual(
      selected.items.map((i) => i.metadata?.name),
      ['node-cm'],
    );
  });

  it('replaces it and bumps the resourceVersion', async () => {
    const current = await core.readNamespacedConfigMap({ name: 'node-cm', namespace: NS });
    current.data = { color: 'green' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'node-cm', namespace: NS, body: current });
    assert.deepEqual(replaced.data, { color: 'green' });
    assert.equal(replaced.metadata?.uid, created.metadata?.uid);
    assert.notEqual(replaced.metadata?.resourceVersion, current.metadata?.resourceVersion);
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(current.metadata?.resourceVersion));
  });

  it('patches with the default JSON patch content type', async () => {
    const patched = await core.patchNamespacedConfigMap({
      name: 'node-cm',
      namespace: NS,
      body: [
        { op: 'add', path: '/data/shape', value: 'round' },
        { op: 'replace', path: '/data/color', value: 'red' },
      ],
    });
    assert.deepEqual(patched.data, { color: 'red', shape: 'round' });
    assert.deepEqual(patched.metadata?.labels, { app: 'demo' });
  });

  it('patches with merge patch via setHeaderOptions', async () => {
    const patched = await core.patchNamespacedConfigMap(
      {
        name: 'node-cm',
        namespace: NS,
        body: { metadata: { labels: { tier: 'web' } }, data: { shape: null, weight: 'heavy' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(patched.data, { color: 'red', weight: 'heavy' });
    assert.deepEqual(patched.metadata?.labels, { app: 'demo', tier: 'web' });
  });

  it('deletes it; a later read is a 404', async () => {
    const deleted = await core.deleteNamespacedConfigMap({ name: 'node-cm-2', namespace: NS });
    assert.equal(deleted.kind, 'Status');
    assert.equal(deleted.status, 'Success');
    assert.equal(deleted.details?.name, 'node-cm-2');
    assert.equal(deleted.details?.kind, 'configmaps');
    const { code, status } = await expectApiError(() => core.readNamespacedConfigMap({ name: 'node-cm-2', namespace: NS }));
    assert.equal(code, 404);
    assert.equal(status.reason, 'NotFound');
  });
});

describe('client-node errors', () => {
  it('a missing object is an ApiException 404 with a NotFound Status', async () => {
    const { code, status } = await expectApiError(() => core.readNamespacedConfigMap({ name: 'nope', namespace: NS }));
    assert.equal(code, 404);
    assert.equal(status.kind, 'Status');
    assert.equal(status.apiVersion, 'v1');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'configmaps "nope" not found');
    assert.equal(status.code, 404);
    assert.equal(status.details.name, 'nope');
    assert.equal(status.details.kind, 'configmaps');
  });

  it('a duplicate create is an ApiException 409 AlreadyExists', async () => {
    const { code, status } = await expectApiError(() =>
      core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'node-cm' } } }),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'AlreadyExists');
    assert.equal(status.message, 'configmaps "node-cm" already exists');
  });

  it('a stale replace is an ApiException 409 Conflict', async () => {
    const current = await core.readNamespacedConfigMap({ name: 'node-cm', namespace: NS });
    await core.replaceNamespacedConfigMap({ name: 'node-cm', namespace: NS, body: { ...current, data: { v: '1' } } });
    const { code, status } = await expectApiError(() =>
      core.replaceNamespacedConfigMap({ name: 'node-cm', namespace: NS, body: { ...current, data: { v: '2' } } }),
    );
    assert.equal(code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(
      status.message,
      'Operation cannot be fulfilled on configmaps "node-cm": the object has been modified; please apply your changes to the latest version and try again',
    );
  });
});

describe('client-node AppsV1Api', () => {
  it('creates and reads a Deployment', async () => {
    const body = {
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
        },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace: NS, body });
    assert.equal(created.kind, 'Deployment');
    assert.equal(created.apiVersion, 'apps/v1');
    assert.equal(created.metadata?.generation, 1);
    const got = await apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    assert.equal(got.metadata?.uid, created.metadata?.uid);
    assert.equal(got.spec?.replicas, 3);
    assert.deepEqual(got.spec?.selector.matchLabels, { app: 'web' });
    const container = got.spec?.template.spec?.containers[0];
    assert.equal(container?.name, 'nginx');
    assert.equal(container?.image, 'nginx:1.27');
    assert.equal(container?.ports?.[0]?.containerPort, 80);
    const list = await apps.listNamespacedDeployment({ namespace: NS });
    assert.deepEqual(
      list.items.map((d) => d.metadata?.name),
      ['web'],
    );
  });
});

describe('client-node Watch and informer', () => {
  it('a Watch from a list resourceVersion sees ADDED, MODIFIED, DELETED in order', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    const rv = list.metadata?.resourceVersion;
    assert.match(rv ?? '', RV);
    const events: Array<[string, string | undefined, string | undefined]> = [];
    let doneErr: unknown = 'not done';
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { allowWatchBookmarks: true, resourceVersion: rv },
      (type, obj) => {
        if (type === 'BOOKMARK') return;
        events.push([type, obj?.metadata?.name, obj?.data?.k]);
      },
      (err) => (doneErr = err),
    );
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'watched' }, data: { k: 'a' } } });
    await core.patchNamespacedConfigMap(
      { name: 'watched', namespace: NS, body: { data: { k: 'b' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: NS });
    await waitFor(() => events.length >= 3 || doneErr !== 'not done', 'three watch events');
    controller.abort();
    assert.deepEqual(events, [
      ['ADDED', 'watched', 'a'],
      ['MODIFIED', 'watched', 'b'],
      ['DELETED', 'watched', 'b'],
    ]);
  });

  it('an informer lists, then sees an add', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
    const added: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (obj) => added.push(obj.metadata?.name ?? '?'));
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    try {
      await waitFor(() => added.includes('node-cm'), 'the listed object');
      assert.deepEqual(
        informer
          .list(NS)
          .map((o) => o.metadata?.name)
          .sort(),
        ['node-cm'],
      );
      await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'informed' }, data: { x: 'y' } } });
      await waitFor(() => added.includes('informed'), 'the add event');
      assert.deepEqual(added, ['node-cm', 'informed']);
      assert.deepEqual(informer.get('informed', NS)?.data, { x: 'y' });
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});
