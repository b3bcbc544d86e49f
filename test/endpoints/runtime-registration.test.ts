/**
 * A kind registered while the server runs, described only by an OpenAPI v3 schema (as a
 * custom resource will be): it appears in discovery, OpenAPI and routes at once, and
 * disappears from all three when unregistered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiKindSchema, type StructuralSchema } from '../../src/machinery/runtime/kind-schema.js';
import type { JsonObject } from '../../src/machinery/schema/json.js';
import { writeK8sEnvelope } from '../../src/machinery/schema/index.js';
import { createScheme } from '../../src/machinery/runtime/scheme.js';
import { isDns1123Subdomain } from '../../src/machinery/validation/names.js';
import type { ResourceDefinition } from '../../src/registry/rest/definition.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const WIDGET_SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: { size: { type: 'integer' }, color: { type: 'string', enum: ['red', 'blue'] } },
      required: ['size'],
    },
  },
};
const widgetSchema = openApiKindSchema({ group: 'example.com', version: 'v1', kind: 'Widget' }, WIDGET_SCHEMA);

const widgets: ResourceDefinition = {
  group: 'example.com',
  versions: [{ version: 'v1', typeName: 'example.com.v1.Widget', listTypeName: 'example.com.v1.WidgetList', schema: widgetSchema }],
  storageVersion: 'v1',
  resource: 'widgets',
  kind: 'Widget',
  listKind: 'WidgetList',
  singular: 'widget',
  namespaced: true,
  nameValidator: isDns1123Subdomain,
  strategy: { validate: (obj) => widgetSchema.validate(obj as JsonObject), validateUpdate: (obj) => widgetSchema.validate(obj as JsonObject) },
};

describe('the scheme', () => {
  it('registers and unregisters kinds, and tells its listeners', () => {
    const scheme = createScheme();
    let changes = 0;
    scheme.onChange(() => changes++);
    const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };
    assert.equal(scheme.get(gvk), undefined);
    const unregister = scheme.register([widgetSchema]);
    assert.equal(scheme.get(gvk), widgetSchema);
    assert.throws(() => scheme.register([widgetSchema]), /kind example\.com\/v1\/Widget is already registered/);
    unregister();
    unregister();
    assert.equal(scheme.get(gvk), undefined);
    assert.equal(changes, 2);
  });
});

describe('a kind registered at run time', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  const served = async (): Promise<{ discovery: number; group: boolean; openapi: boolean; route: number; aggregated: boolean }> => {
    const groups = await api(ts.server, 'GET', '/apis');
    const aggregated = await api(ts.server, 'GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const index = await api(ts.server, 'GET', '/openapi/v3');
    return {
      discovery: (await api(ts.server, 'GET', '/apis/example.com/v1')).status,
      group: groups.body.groups.some((g: { name: string }) => g.name === 'example.com'),
      aggregated: aggregated.body.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'example.com'),
      openapi: 'apis/example.com/v1' in index.body.paths,
      route: (await api(ts.server, 'GET', '/apis/example.com/v1/namespaces/default/widgets')).status,
    };
  };

  it('is served in discovery, OpenAPI and routes until it is unregistered', async () => {
    assert.deepEqual(await served(), { discovery: 404, group: false, aggregated: false, openapi: false, route: 404 });
    const uninstall = ts.server.installResource(widgets);
    try {
      assert.deepEqual(await served(), { discovery: 200, group: true, aggregated: true, openapi: true, route: 200 });
      assert.ok(ts.server.scheme.get({ group: 'example.com', version: 'v1', kind: 'Widget' }));
      const list = await api(ts.server, 'GET', '/apis/example.com/v1');
      assert.deepEqual(
        list.body.resources.map((r: { name: string; kind: string; namespaced: boolean }) => [r.name, r.kind, r.namespaced]),
        [['widgets', 'Widget', true]],
      );
      const doc = await api(ts.server, 'GET', '/openapi/v3/apis/example.com/v1');
      const component = doc.body.components.schemas['com.example.v1.Widget'];
      assert.deepEqual(component.properties.spec, WIDGET_SCHEMA.properties!.spec);
      assert.deepEqual(component['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);

      const created = await api(ts.server, 'POST', '/apis/example.com/v1/namespaces/default/widgets', {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w1' },
        spec: { size: 3, color: 'red', shape: 'round' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.spec, { size: 3, color: 'red' });
      assert.deepEqual(created.headers.get('warning'), '299 - "unknown field \\"spec.shape\\""');
      const got = await api(ts.server, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1');
      assert.equal(got.body.kind, 'Widget');
      assert.equal(got.body.apiVersion, 'example.com/v1');
      assert.deepEqual(got.body.spec, { size: 3, color: 'red' });
      const merged = await api(ts.server, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w1', { spec: { color: 'blue' } }, {
        'content-type': 'application/merge-patch+json',
      });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual(merged.body.spec, { size: 3, color: 'blue' });
      const strategic = await api(ts.server, 'PATCH', '/apis/example.com/v1/namespaces/default/widgets/w1', { spec: { size: 4 } }, {
        'content-type': 'application/strategic-merge-patch+json',
      });
      assert.equal(strategic.status, 415);
      assert.equal(strategic.body.reason, 'UnsupportedMediaType');
      assert.equal(
        strategic.body.message,
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
      const envelope = writeK8sEnvelope({ apiVersion: 'example.com/v1', kind: 'Widget', raw: new Uint8Array([0x0a, 0x00]) });
      const protobuf = await fetch(`${ts.server.url}/apis/example.com/v1/namespaces/default/widgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' },
        body: envelope,
      });
      assert.equal(protobuf.status, 415);
      assert.equal(
        ((await protobuf.json()) as { message: string }).message,
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
      );
      const bad = await api(ts.server, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { metadata: { name: 'w2' }, spec: { size: 'big', color: 'green' } });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.reason, 'Invalid');
      assert.equal(
        bad.body.message,
        'Widget.example.com "w2" is invalid: [spec.size: Invalid value: "string": spec.size in body must be of type integer: "string", spec.color: Unsupported value: "green": supported values: "red", "blue"]',
      );
    } finally {
      uninstall();
    }
    assert.deepEqual(await served(), { discovery: 404, group: false, aggregated: false, openapi: false, route: 404 });
    assert.equal(ts.server.scheme.get({ group: 'example.com', version: 'v1', kind: 'Widget' }), undefined);
    // Installed again, the objects are still there: uninstalling stops serving, it deletes nothing.
    const again = ts.server.installResource(widgets);
    try {
      const got = await api(ts.server, 'GET', '/apis/example.com/v1/namespaces/default/widgets/w1');
      assert.equal(got.status, 200);
    } finally {
      again();
    }
  });

  it('has a watch cache of its own while installed, stopped with its watches when uninstalled', async () => {
    const backendWatches = async (): Promise<string[]> =>
      (await (await fetch(`${ts.server.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('apiserver_storage_backend_watches{') && l.includes('resource="widgets"'));
    assert.deepEqual(await backendWatches(), []);
    const uninstall = ts.server.installResource(widgets);
    let uninstalled = false;
    try {
      const base = `${ts.server.url}/apis/example.com/v1/namespaces/default/widgets`;
      const list = await api(ts.server, 'GET', '/apis/example.com/v1/namespaces/default/widgets');
      assert.equal(list.status, 200);
      assert.deepEqual(await backendWatches(), ['apiserver_storage_backend_watches{group="example.com",resource="widgets"} 1']);
      const watch = await fetch(`${base}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
      assert.equal(watch.status, 200);
      const body = (async () => Buffer.from(await watch.arrayBuffer()).toString())();
      const created = await api(ts.server, 'POST', '/apis/example.com/v1/namespaces/default/widgets', { metadata: { name: 'w3' }, spec: { size: 1 } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await new Promise((r) => setTimeout(r, 200));
      uninstall();
      uninstalled = true;
      // The open watch ends (as upstream ends a removed resource's watches), after the event it was owed.
      const lines = (await body).trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
      assert.deepEqual(lines.map((l) => [l.type, l.object.metadata.name]), [['ADDED', 'w3']]);
      assert.deepEqual(await backendWatches(), []);
    } finally {
      if (!uninstalled) uninstall();
    }
    // Installed again, a new cache fills from the store.
    const again = ts.server.installResource(widgets);
    try {
      const names = (await api(ts.server, 'GET', '/apis/example.com/v1/namespaces/default/widgets')).body.items.map((o: { metadata: { name: string } }) => o.metadata.name);
      assert.deepEqual(names, ['w1', 'w3']);
      assert.deepEqual(await backendWatches(), ['apiserver_storage_backend_watches{group="example.com",resource="widgets"} 1']);
    } finally {
      again();
    }
  });
});
