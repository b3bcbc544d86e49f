/**
 * Every error reachable over gRPC is a mapped Status: a body nested 20 000 levels deep in
 * a typed message's FieldsV1 gets the same 400 as over HTTP (not INTERNAL from a stack
 * overflow), a valid int64 `limit` beyond 2^53 lists as HTTP does (not INTERNAL "Error
 * deserializing request"), and bytes that are no request message at all get a 400 Status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import type { ConfigMapList } from '../../gen/k8s/io/api/core/v1/config.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';

const CM = 'k8s.io.api.core.v1.ConfigMap';
const DEEP_MESSAGE = 'the request body is nested too deeply: more than 1000 levels of objects and arrays';

let t: TestServer;
let configMaps: ConfigMapServiceClient;
let raw: Client;

before(async () => {
  t = await startTestServer();
  configMaps = new ConfigMapServiceClient(t.server.grpcAddress, grpcCredentials(t.server));
  raw = new Client(t.server.grpcAddress, grpcCredentials(t.server));
  for (const name of ['a', 'b', 'c']) {
    assert.equal((await api(t.server, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name } })).status, 201);
  }
});

after(async () => {
  configMaps.close();
  raw.close();
  await t.stop();
});

function deepFields(levels: number): string {
  return '{"f:a":'.repeat(levels) + '{}' + '}'.repeat(levels);
}

/** Sends bytes as they are to a method and returns the failure. */
function rawCall(path: string, bytes: Buffer): Promise<ServiceError> {
  return new Promise((resolve, reject) => {
    raw.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (err) => (err ? resolve(err) : reject(new Error('expected the call to fail'))),
    );
  });
}

describe('gRPC errors are mapped Statuses', () => {
  it('a 20 000-deep fieldsV1 gets the Status HTTP gives', async () => {
    const deep = deepFields(20_000);
    const http = await api(
      t.server,
      'POST',
      '/api/v1/namespaces/default/configmaps',
      `{"metadata":{"name":"deep","managedFields":[{"manager":"m","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":${deep}}]}}`,
    );
    assert.equal(http.status, 400);
    assert.equal(http.body.reason, 'BadRequest');
    assert.equal(http.body.message, DEEP_MESSAGE);
    const object = toMessage<any>(CM, { metadata: { name: 'deep' } });
    object.metadata.managedFields = [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from(deep) } }];
    const failure = await grpcFailure(() => unary((cb) => configMaps.create({ namespace: 'default', object }, cb)));
    assert.equal(failure.grpcCode, GrpcStatus.INVALID_ARGUMENT);
    assert.equal(failure.status.code, 400);
    assert.equal(failure.status.reason, 'BadRequest');
    assert.equal(failure.status.message, DEEP_MESSAGE);
    // Nothing was stored either way.
    assert.equal((await api(t.server, 'GET', '/api/v1/namespaces/default/configmaps/deep')).status, 404);
  });

  it('a valid int64 limit above 2^53 lists as over HTTP', async () => {
    const http = await api(t.server, 'GET', '/api/v1/namespaces/default/configmaps?limit=9223372036854775807');
    assert.equal(http.status, 200);
    const httpNames = http.body.items.map((i: any) => i.metadata.name).sort();
    for (const name of ['a', 'b', 'c']) assert.ok(httpNames.includes(name), name);
    // ListRequest { namespace = 1: "default", options = 2: ListOptions { limit = 7: 2^63-1 } }, by hand.
    const limit = Buffer.from([0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    const options = Buffer.concat([Buffer.from([0x12, limit.length]), limit]);
    const request = Buffer.concat([Buffer.from([0x0a, 7]), Buffer.from('default'), options]);
    const list = await new Promise<Buffer>((resolve, reject) =>
      raw.makeUnaryRequest(
        '/wheelhouse.core.v1.ConfigMapService/List',
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      ),
    );
    const { ConfigMapList } = await import('../../gen/k8s/io/api/core/v1/config.js');
    const decoded: ConfigMapList = ConfigMapList.decode(list);
    assert.deepEqual(decoded.items.map((i) => i.metadata?.name).sort(), httpNames);
    assert.equal(decoded.metadata?.continue ?? '', '');
  });

  it('bytes that are no request message get a 400 Status, and the server carries on', async () => {
    // Field 1 as wire type 7 (no such type), then a length-delimited field running past the end.
    for (const [bytes, cause] of [
      [Buffer.from([0x0f, 0x01]), 'proto: illegal wireType 7'],
      [Buffer.from([0x0a, 0x50, 0x61]), 'unexpected EOF'],
    ] as const) {
      const err = await rawCall('/wheelhouse.core.v1.ConfigMapService/Get', bytes);
      assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT, err.details);
      const failure = await grpcFailure(() => Promise.reject(err));
      assert.equal(failure.status.reason, 'BadRequest');
      assert.equal(failure.status.code, 400);
      assert.equal(failure.status.message, `the request message of /wheelhouse.core.v1.ConfigMapService/Get could not be decoded: ${cause}`);
    }
    const ok = await unary<ConfigMapList>((cb) => configMaps.list({ namespace: 'default' }, cb));
    assert.ok(ok.items.length >= 3);
  });
});
