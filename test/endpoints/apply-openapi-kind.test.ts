/**
 * Server-side apply on a kind described only by an OpenAPI v3 schema (the custom-resource
 * case): `x-kubernetes-list-type: map` lists merge by key across appliers, a `set` merges
 * by value, `x-kubernetes-map-type: atomic` objects are owned whole, and metadata is
 * ObjectMeta's (labels granular) as upstream builds it for custom resources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StructuralSchema } from '../../src/machinery/runtime/kind-schema.js';
import { openApiResource } from '../helpers/openapi-resource.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

const SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } }, required: ['name'] },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        args: { type: 'array', items: { type: 'string' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { app: { type: 'string' }, tier: { type: 'string' } } },
      },
    },
  },
};
const gadgets = openApiResource('Gadget', 'gadgets', SCHEMA).definition;

const PATH = '/apis/example.com/v1/namespaces/default/gadgets/g';
const apply = (ts: TestServer, manager: string, spec: unknown, labels?: Record<string, string>) =>
  api(ts.server, 'PATCH', `${PATH}?fieldManager=${manager}`, JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', ...(labels ? { labels } : {}) }, spec }), {
    'content-type': 'application/apply-patch+yaml',
  });

describe('server-side apply on an OpenAPI-described kind', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
    ts.server.installResource(gadgets);
  });
  after(async () => ts.stop());

  it('merges map lists by key and sets by value, owns atomic parts whole', async () => {
    const a = await apply(ts, 'alice', { ports: [{ name: 'http', port: 80 }], tags: ['x'], args: ['--a'], selector: { app: 'web' } }, { team: 'a' });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    const b = await apply(ts, 'bob', { ports: [{ name: 'grpc', port: 90 }], tags: ['y'] }, { owner: 'b' });
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.deepEqual(b.body.spec, { ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 90 }], tags: ['x', 'y'], args: ['--a'], selector: { app: 'web' } });
    assert.deepEqual(b.body.metadata.labels, { team: 'a', owner: 'b' });
    const fields = Object.fromEntries(b.body.metadata.managedFields.map((e: { manager: string; fieldsV1: unknown }) => [e.manager, e.fieldsV1]));
    assert.deepEqual(fields, {
      alice: {
        'f:metadata': { 'f:labels': { 'f:team': {} } },
        'f:spec': { 'f:args': {}, 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:selector': {}, 'f:tags': { 'v:"x"': {} } },
      },
      bob: { 'f:metadata': { 'f:labels': { 'f:owner': {} } }, 'f:spec': { 'f:ports': { 'k:{"name":"grpc"}': { '.': {}, 'f:name': {}, 'f:port': {} } }, 'f:tags': { 'v:"y"': {} } } },
    });
    // An atomic map: any other value for any member conflicts over the whole map.
    const c = await apply(ts, 'bob', { selector: { app: 'web', tier: 'front' } });
    assert.equal(c.status, 409);
    assert.equal(c.body.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.selector');
    // alice drops the http port she alone owned, and keeps the rest.
    const d = await apply(ts, 'alice', { tags: ['x'], args: ['--a'], selector: { app: 'web' } }, { team: 'a' });
    assert.equal(d.status, 200);
    assert.deepEqual(d.body.spec.ports, [{ name: 'grpc', port: 90 }]);
  });
});
