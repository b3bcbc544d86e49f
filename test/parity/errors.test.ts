/**
 * HTTP/gRPC parity for requests the pipeline refuses before any store runs: scope errors,
 * name/namespace mismatches between body and path (or request), and undecodable bodies.
 * Each row is one mistake sent over both transports; both must answer with the same
 * Status code, reason and message, word for word.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, type ServiceError } from '@grpc/grpc-js';
import { ConfigMapServiceClient, CreateConfigMapRequest, NodeServiceClient, UpdateConfigMapRequest } from '../../gen/wheelhouse/core/v1/services.js';
import { REASON_CODES, type StatusReason } from '../../src/machinery/errors/index.js';
import { api, grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { grpcFailure, unary } from './grpc-helpers.js';

const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MERGE = 'application/merge-patch+json';
const GARBAGE = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02])]);
const CM = '/api/v1/namespaces/default/configmaps';
const NOT_FOUND = { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' };
const bad = (message: string) => ({ code: 400, reason: 'BadRequest', message });
const cmJson = (extra: object = {}): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, ...extra });

type Method = 'get' | 'create' | 'update' | 'patch';
interface Row {
  name: string;
  http: { method: string; path: string; body?: Buffer | string; contentType?: string };
  grpc: { service: 'configMaps' | 'nodes'; method: Method; request: object };
  want: { code: number; reason: string; message: string };
}

const ROWS: Row[] = [
  {
    name: 'namespaced kind without a namespace',
    http: { method: 'GET', path: '/api/v1/configmaps/x' },
    grpc: { service: 'configMaps', method: 'get', request: { name: 'x' } },
    want: NOT_FOUND,
  },
  {
    name: 'create of a namespaced kind without a namespace',
    http: { method: 'POST', path: '/api/v1/configmaps', body: cmJson(), contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: CreateConfigMapRequest.fromPartial({ object: { metadata: { name: 'a' } } }) },
    want: NOT_FOUND,
  },
  {
    name: 'cluster-scoped kind with a namespace',
    http: { method: 'GET', path: '/api/v1/namespaces/default/nodes/x' },
    grpc: { service: 'nodes', method: 'get', request: { namespace: 'default', name: 'x' } },
    want: NOT_FOUND,
  },
  {
    name: 'body namespace differs from the request namespace',
    http: { method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'a', namespace: 'other' } }), contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: CreateConfigMapRequest.fromPartial({ namespace: 'default', object: { metadata: { name: 'a', namespace: 'other' } } }) },
    want: bad('the namespace of the provided object does not match the namespace sent on the request'),
  },
  {
    name: 'body name differs from the name on the URL (request)',
    http: { method: 'PUT', path: `${CM}/y`, body: JSON.stringify({ metadata: { name: 'x' } }), contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'update', request: UpdateConfigMapRequest.fromPartial({ namespace: 'default', name: 'y', object: { metadata: { name: 'x' } } }) },
    want: bad('the name of the object (x) does not match the name on the URL (y)'),
  },
  {
    name: 'JSON that does not parse',
    http: { method: 'POST', path: CM, body: '{bad', contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: { namespace: 'default', raw: Buffer.from('{bad'), contentType: JSON_TYPE } },
    want: bad(
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string ({bad)",
    ),
  },
  {
    name: 'a body of the wrong kind',
    http: { method: 'POST', path: CM, body: cmJson({ kind: 'Secret' }), contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: { namespace: 'default', raw: Buffer.from(cmJson({ kind: 'Secret' })), contentType: JSON_TYPE } },
    want: bad('Secret in version "v1" cannot be handled as a ConfigMap: the kind in the body does not match the resource'),
  },
  {
    name: 'a body of the wrong apiVersion',
    http: { method: 'POST', path: CM, body: cmJson({ apiVersion: 'apps/v1' }), contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: { namespace: 'default', raw: Buffer.from(cmJson({ apiVersion: 'apps/v1' })), contentType: JSON_TYPE } },
    want: bad('the API version in the data (apps/v1) does not match the expected API version (v1)'),
  },
  {
    name: 'protobuf garbage after the k8s\\0 magic',
    http: { method: 'POST', path: CM, body: GARBAGE, contentType: PROTOBUF },
    grpc: { service: 'configMaps', method: 'create', request: { namespace: 'default', raw: GARBAGE, contentType: PROTOBUF } },
    want: bad('the object provided is unrecognized (must be of type ConfigMap): proto: illegal wireType 7 (6b387300ffffff0102)'),
  },
  {
    name: 'an empty body',
    http: { method: 'POST', path: CM, body: '', contentType: JSON_TYPE },
    grpc: { service: 'configMaps', method: 'create', request: { namespace: 'default' } },
    want: bad(
      "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)",
    ),
  },
  {
    name: 'a patch that does not parse',
    http: { method: 'PATCH', path: `${CM}/a`, body: '{bad', contentType: MERGE },
    grpc: { service: 'configMaps', method: 'patch', request: { namespace: 'default', name: 'a', patchType: MERGE, patch: Buffer.from('{bad') } },
    want: bad("invalid character 'b' looking for beginning of object key string"),
  },
];

type Unary = (req: object, cb: (err: ServiceError | null, res: object) => void) => unknown;

describe('HTTP and gRPC refuse the same requests with the same Status', () => {
  let ts: TestServer;
  let clients: Record<Row['grpc']['service'], Client & Record<Method, Unary>>;
  before(async () => {
    ts = await startTestServer();
    const address = ts.server.grpcAddress;
    clients = {
      configMaps: new ConfigMapServiceClient(address, grpcCredentials(ts.server)) as unknown as Client & Record<Method, Unary>,
      nodes: new NodeServiceClient(address, grpcCredentials(ts.server)) as unknown as Client & Record<Method, Unary>,
    };
  });
  after(async () => {
    for (const c of Object.values(clients ?? {})) c.close();
    await ts?.stop();
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const headers: Record<string, string> = row.http.contentType ? { 'content-type': row.http.contentType } : {};
      const init: RequestInit = { method: row.http.method, headers: { accept: 'application/json', ...headers } };
      if (row.http.body !== undefined) init.body = row.http.body;
      const res = await fetch(ts.server.url + row.http.path, init);
      const status = (await res.json()) as { code: number; reason: string; message: string };
      assert.deepEqual({ code: res.status, reason: status.reason, message: status.message }, row.want, 'HTTP');

      const client = clients[row.grpc.service];
      const failure = await grpcFailure(() => unary((cb) => client[row.grpc.method].call(client, row.grpc.request, cb)));
      assert.deepEqual({ code: failure.status.code, reason: failure.status.reason, message: failure.status.message }, row.want, 'gRPC');
      assert.equal(failure.grpcCode, REASON_CODES[row.want.reason as StatusReason].grpc);
      assert.equal(failure.details, row.want.message);
    });
  }

  it('HTTP helper agrees (sanity)', async () => {
    assert.equal((await api(ts.server, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
  });
});
