/**
 * Field management over both transports: the same server-side apply sequence (create,
 * conflict, force) sent as HTTP PATCH and as gRPC Patch with the apply patch type gives the
 * same objects, the same managedFields (apart from times) and the same 409.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMap } from '../../gen/k8s/io/api/core/v1/config.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';
import { grpcFailure, toJson, unary } from './grpc-helpers.js';

const CM = 'k8s.io.api.core.v1.ConfigMap';
const APPLY = 'application/apply-patch+yaml';
type Json = Record<string, unknown>;

const config = (name: string, value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: ${value}\n`;

function entries(obj: Json): unknown[] {
  const mf = ((obj.metadata as Json).managedFields ?? []) as Json[];
  return mf.map(({ time, ...rest }) => {
    assert.match(String(time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    return rest;
  });
}

describe('HTTP and gRPC parity: server-side apply and managedFields', () => {
  let t: TestServer;
  let client: ConfigMapServiceClient;
  before(async () => {
    t = await startTestServer();
    client = new ConfigMapServiceClient(t.server.grpcAddress, grpcCredentials(t.server));
  });
  after(async () => {
    client.close();
    await t.stop();
  });

  it('records the same managers and fields, and conflicts alike', async () => {
    const path = (name: string, q: string): string => `/api/v1/namespaces/default/configmaps/${name}?${q}`;
    const grpcApply = (name: string, value: string, manager: string, force?: boolean): Promise<ConfigMap> =>
      unary<ConfigMap>((cb) =>
        client.patch({ namespace: 'default', name, patchType: APPLY, patch: Buffer.from(config(name, value)), options: { dryRun: [], fieldManager: manager, ...(force === undefined ? {} : { force }) } }, cb),
      );

    const h1 = await api(t.server, 'PATCH', path('via-http', 'fieldManager=first'), config('via-http', 'a'), { 'content-type': APPLY });
    assert.equal(h1.status, 201);
    const g1 = toJson(CM, await grpcApply('via-grpc', 'a', 'first'));
    assert.deepEqual(entries(g1), entries(h1.body));
    assert.deepEqual(entries(g1), [{ manager: 'first', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:key': {} } } }]);

    const h2 = await api(t.server, 'PATCH', path('via-http', 'fieldManager=second'), config('via-http', 'b'), { 'content-type': APPLY });
    assert.equal(h2.status, 409);
    const g2 = await grpcFailure(() => grpcApply('via-grpc', 'b', 'second'));
    assert.deepEqual(g2.status, h2.body);
    assert.equal(h2.body.message, 'Apply failed with 1 conflict: conflict with "first": .data.key');
    assert.deepEqual(h2.body.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.data.key' }] });

    const h3 = await api(t.server, 'PATCH', path('via-http', 'fieldManager=second&force=true'), config('via-http', 'b'), { 'content-type': APPLY });
    assert.equal(h3.status, 200);
    const g3 = toJson(CM, await grpcApply('via-grpc', 'b', 'second', true));
    assert.deepEqual(g3.data, { key: 'b' });
    assert.deepEqual(entries(g3), entries(h3.body));
    assert.deepEqual(entries(g3), [{ manager: 'second', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:key': {} } } }]);
  });
});
