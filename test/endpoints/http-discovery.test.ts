/** HTTP gateway: /version, health endpoints, legacy and aggregated discovery, unknown paths. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const NOT_FOUND = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'the server could not find the requested resource',
  reason: 'NotFound',
  details: {},
  code: 404,
};

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const KUBECTL_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('HTTP discovery', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  it('serves /version with every field as a string', async () => {
    const r = await api(t.server, 'GET', '/version?timeout=32s');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.deepEqual(Object.keys(r.body).sort(), [
      'buildDate', 'compiler', 'gitCommit', 'gitTreeState', 'gitVersion', 'goVersion', 'major', 'minor', 'platform',
    ]);
    for (const v of Object.values(r.body)) assert.equal(typeof v, 'string');
    assert.match(r.body.major, /^\d+$/);
    assert.match(r.body.minor, /^\d+$/);
    assert.ok(r.body.gitVersion.startsWith(`v${r.body.major}.${r.body.minor}.`), r.body.gitVersion);
  });

  it('answers the health endpoints with ok', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/readyz/ping']) {
      const res = await fetch(t.server.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), 'ok', path);
    }
  });

  it('serves /api as legacy APIVersions with the real address', async () => {
    const r = await api(t.server, 'GET', '/api?timeout=32s');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.deepEqual(r.body, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${t.server.httpPort}` }],
    });
  });

  it('serves /apis and /apis/apps as legacy group documents', async () => {
    const apps = { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } };
    const r = await api(t.server, 'GET', '/apis');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'APIGroupList');
    assert.equal(r.body.apiVersion, 'v1');
    const names = r.body.groups.map((g: Json) => g.name);
    assert.ok(names.includes('apps') && names.includes('batch'), names.join());
    assert.equal(new Set(names).size, names.length, 'each group once');
    assert.deepEqual(r.body.groups.find((g: Json) => g.name === 'apps'), apps);
    const g = await api(t.server, 'GET', '/apis/apps');
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, { kind: 'APIGroup', apiVersion: 'v1', ...apps });
  });

  it('serves /api/v1 as an APIResourceList', async () => {
    const r = await api(t.server, 'GET', '/api/v1?timeout=32s');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'APIResourceList');
    assert.equal(r.body.apiVersion, 'v1');
    assert.equal(r.body.groupVersion, 'v1');
    const byName = new Map<string, Json>(r.body.resources.map((x: Json) => [x.name, x]));
    assert.deepEqual(byName.get('configmaps'), {
      name: 'configmaps',
      singularName: 'configmap',
      namespaced: true,
      kind: 'ConfigMap',
      verbs: ALL_VERBS,
      shortNames: ['cm'],
      storageVersionHash: 'qFsyl6wFWjQ=',
    });
    const pods = byName.get('pods') as Json;
    assert.equal(pods.storageVersionHash, 'xPOwRZ+Yhw8=');
    assert.deepEqual(pods.categories, ['all']);
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(byName.get('pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    const ns = byName.get('namespaces') as Json;
    assert.equal(ns.namespaced, false);
    assert.deepEqual(ns.shortNames, ['ns']);
    // omitempty: no categories on configmaps, no shortNames/categories on resources without them
    assert.equal('categories' in (byName.get('configmaps') as Json), false);
  });

  // Upstream namespaces serve no deletecollection; the definition lives in src/registry/core (not ours).
  it('lists namespaces without deletecollection, as upstream', async () => {
    const r = await api(t.server, 'GET', '/api/v1');
    const ns = r.body.resources.find((x: Json) => x.name === 'namespaces');
    assert.deepEqual(ns.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  });

  it('serves /apis/apps/v1 with deployments and their subresources', async () => {
    const r = await api(t.server, 'GET', '/apis/apps/v1');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'APIResourceList');
    assert.equal(r.body.apiVersion, 'v1');
    assert.equal(r.body.groupVersion, 'apps/v1');
    const byName = new Map<string, Json>(r.body.resources.map((x: Json) => [x.name, x]));
    assert.deepEqual(byName.get('deployments'), {
      name: 'deployments',
      singularName: 'deployment',
      namespaced: true,
      kind: 'Deployment',
      verbs: ALL_VERBS,
      shortNames: ['deploy'],
      categories: ['all'],
      storageVersionHash: '8aSe+NMegvE=',
    });
    assert.deepEqual(byName.get('deployments/status'), {
      name: 'deployments/status',
      singularName: '',
      namespaced: true,
      kind: 'Deployment',
      verbs: ['get', 'patch', 'update'],
    });
  });

  for (const v of ['v2', 'v2beta1'] as const) {
    it(`serves aggregated discovery ${v} chosen from Accept with the exact Content-Type`, async () => {
      const accept = v === 'v2' ? KUBECTL_DISCOVERY_ACCEPT : 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
      const contentType = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
      const core = await api(t.server, 'GET', '/api?timeout=32s', undefined, { accept });
      assert.equal(core.status, 200);
      assert.equal(core.headers.get('content-type'), contentType);
      assert.equal(core.body.kind, 'APIGroupDiscoveryList');
      assert.equal(core.body.apiVersion, `apidiscovery.k8s.io/${v}`);
      assert.deepEqual(core.body.metadata, {});
      assert.equal(core.body.items.length, 1);
      assert.equal(core.body.items[0].metadata.name ?? '', '');
      const coreV1 = core.body.items[0].versions[0];
      assert.equal(coreV1.version, 'v1');
      assert.equal(coreV1.freshness, 'Current');
      const pods = coreV1.resources.find((x: Json) => x.resource === 'pods');
      assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
      assert.equal(pods.scope, 'Namespaced');
      assert.equal(pods.singularResource, 'pod');
      assert.deepEqual(pods.subresources, [
        { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
        { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
        { subresource: 'proxy', responseKind: { group: '', version: 'v1', kind: 'PodProxyOptions' }, verbs: ['create', 'delete', 'get', 'patch', 'update'] },
        { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
      ]);
      const nsRes = coreV1.resources.find((x: Json) => x.resource === 'namespaces');
      assert.equal(nsRes.scope, 'Cluster');

      const groups = await api(t.server, 'GET', '/apis?timeout=32s', undefined, { accept });
      assert.equal(groups.status, 200);
      assert.equal(groups.headers.get('content-type'), contentType);
      const legacy = await api(t.server, 'GET', '/apis');
      assert.deepEqual(groups.body.items.map((i: Json) => i.metadata.name), legacy.body.groups.map((g: Json) => g.name));
      const appsItem = groups.body.items.find((i: Json) => i.metadata.name === 'apps');
      const deploy = appsItem.versions[0].resources.find((x: Json) => x.resource === 'deployments');
      assert.deepEqual(deploy.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
      assert.deepEqual(deploy.verbs, ALL_VERBS);
      assert.deepEqual(deploy.shortNames, ['deploy']);
      assert.deepEqual(deploy.categories, ['all']);
    });
  }

  it('falls back to legacy discovery for plain JSON Accept and for */*', async () => {
    for (const accept of ['application/json', 'application/json, */*', '*/*']) {
      const r = await api(t.server, 'GET', '/apis', undefined, { accept });
      assert.equal(r.headers.get('content-type'), 'application/json', accept);
      assert.equal(r.body.kind, 'APIGroupList', accept);
    }
  });

  for (const path of ['/apis/nope', '/apis/nope/v1', '/apis/apps/v2', '/api/v2', '/api/v1/widgets', '/apis/apps/v1/namespaces/default/widgets', '/apis/apps/v1/namespaces/default/deployments/x/nope']) {
    it(`answers 404 Status for unknown ${path}`, async () => {
      const r = await api(t.server, 'GET', path);
      assert.equal(r.status, 404);
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.deepEqual(r.body, NOT_FOUND);
    });
  }

  it('does not serve cluster-scoped resources under a namespace', async () => {
    const r = await api(t.server, 'GET', '/api/v1/namespaces/default/nodes');
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, NOT_FOUND);
  });
});
