/**
 * The hostile-input corpus: every payload below gets its exact 4xx (or, for a header no
 * server should read, a 431 or a closed connection), over HTTP and over gRPC; after each
 * one the server answers its health check, and a normal client running beside the whole
 * corpus sees no error and no answer slower than the bound. The count is printed.
 * (Slow clients — slowloris — are tested with the connection limits, not here.)
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Client, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { writeK8sEnvelope } from '../../src/machinery/schema/envelope.js';
import { ConfigMapServiceClient } from '../../gen/wheelhouse/core/v1/services.js';
import { grpcCredentials, startTestServer, type TestServer } from '../helpers/server.js';
import { connectRaw } from '../helpers/raw-http.js';
import { connect as netConnect } from 'node:net';
import { grpcFailure, toMessage, unary } from '../parity/grpc-helpers.js';
import { assertHealthy, assertStatus, copyAmplificationPatch, rawExchange, request, startWorkload, type RawResponse } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const JSON_TYPE = { 'content-type': 'application/json' };
const YAML = { 'content-type': 'application/yaml' };
const PB = { 'content-type': 'application/vnd.kubernetes.protobuf' };
const TOO_DEEP = 'the request body is nested too deeply: more than 1000 levels of objects and arrays';
const TOO_DEEP_YAML = 'the request body is nested too deeply: more than 300 levels of objects and arrays';
const TOO_LARGE = 'Request entity too large: limit is 3145728';
const cannot = (detail: string): string => `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${detail}`;
const unrecognized = /^the object provided is unrecognized \(must be of type ConfigMap\): /;

/** One hostile HTTP request and the Status it must get. */
interface HttpCase {
  name: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  code: number;
  reason: string;
  message: string | RegExp;
}

function labels(count: number, key: (i: number) => string = (i) => `l${i}`): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[key(i)] = 'v';
  return out;
}

const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
  .concat('bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
  .join('\n');
const configMapProto = (name: string): Buffer => {
  const n = Buffer.from(name);
  const meta = Buffer.concat([Buffer.from([0x0a, n.length]), n]);
  return Buffer.concat([Buffer.from([0x0a, meta.length]), meta]);
};
const goodEnvelope = Buffer.from(writeK8sEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', raw: configMapProto('from-proto') }));

const HTTP_CASES: HttpCase[] = [
  { name: 'YAML alias bomb', method: 'POST', path: CM, body: aliasBomb, headers: YAML, code: 400, reason: 'BadRequest', message: /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: document contains excessive aliasing/ },
  { name: '4 MiB body', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } }), code: 413, reason: 'RequestEntityTooLarge', message: TOO_LARGE },
  { name: '4 MiB patch', method: 'PATCH', path: `${CM}/target`, body: JSON.stringify({ data: { a: 'x'.repeat(4 * 1024 * 1024) } }), headers: { 'content-type': 'application/merge-patch+json' }, code: 413, reason: 'RequestEntityTooLarge', message: TOO_LARGE },
  { name: '4 MiB chunked body without a length', method: 'POST', path: CM, body: Buffer.alloc(4 * 1024 * 1024, 0x20), headers: { 'transfer-encoding': 'chunked', ...JSON_TYPE }, code: 413, reason: 'RequestEntityTooLarge', message: TOO_LARGE },
  { name: '20 000-deep JSON', method: 'POST', path: CM, body: '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000), code: 400, reason: 'BadRequest', message: TOO_DEEP },
  { name: '20 000-deep JSON in fieldsV1', method: 'POST', path: CM, body: `{"metadata":{"name":"deep","managedFields":[{"manager":"m","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":${'{"f:a":'.repeat(20_000)}{}${'}'.repeat(20_000)}}]}}`, code: 400, reason: 'BadRequest', message: TOO_DEEP },
  { name: '20 000-deep YAML flow', method: 'POST', path: CM, body: '['.repeat(20_000) + ']'.repeat(20_000), headers: YAML, code: 400, reason: 'BadRequest', message: TOO_DEEP_YAML },
  { name: '20 000-deep YAML block', method: 'POST', path: CM, body: '- '.repeat(20_000) + 'x\n', headers: YAML, code: 400, reason: 'BadRequest', message: TOO_DEEP_YAML },
  { name: '20 000-deep apply patch', method: 'PATCH', path: `${CM}/target?fieldManager=m`, body: `{"metadata":{"annotations":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`, headers: { 'content-type': 'application/apply-patch+yaml' }, code: 400, reason: 'BadRequest', message: TOO_DEEP_YAML },
  { name: 'JSON patch copy amplification', method: 'PATCH', path: `${CM}/target`, body: copyAmplificationPatch(), headers: { 'content-type': 'application/json-patch+json' }, code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'JSON patch of 10 001 operations', method: 'PATCH', path: `${CM}/target`, body: JSON.stringify(Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }))), headers: { 'content-type': 'application/json-patch+json' }, code: 413, reason: 'RequestEntityTooLarge', message: 'The allowed maximum operations in a JSON patch is 10000, got 10001' },
  { name: 'invalid UTF-8 outside strings', method: 'POST', path: CM, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), code: 400, reason: 'BadRequest', message: unrecognized },
  { name: 'invalid UTF-8 in a name', method: 'POST', path: CM, body: Buffer.concat([Buffer.from('{"metadata":{"name":"a'), Buffer.from([0xc3]), Buffer.from('"}}')]), code: 422, reason: 'Invalid', message: /^ConfigMap "a\ufffd" is invalid: metadata\.name: Invalid value: / },
  { name: 'duplicate JSON keys under Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: '{"metadata":{"name":"dup","name":"dup"}}', code: 400, reason: 'BadRequest', message: cannot('strict decoding error: duplicate field "metadata.name"') },
  { name: 'duplicate YAML keys under Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: 'metadata:\n  name: dup\n  name: dup\n', headers: YAML, code: 400, reason: 'BadRequest', message: cannot('strict decoding error: error converting YAML to JSON: yaml: unmarshal errors:\n  line 3: key "name" already set in map') },
  { name: '__proto__ label key', method: 'POST', path: CM, body: '{"metadata":{"name":"proto","labels":{"__proto__":"x"}}}', code: 422, reason: 'Invalid', message: /^ConfigMap "proto" is invalid: metadata\.labels: Invalid value: "__proto__": name part must consist of/ },
  { name: '__proto__ object in a merge patch', method: 'PATCH', path: `${CM}/target`, body: '{"data":{"__proto__":{"polluted":true}}}', headers: { 'content-type': 'application/merge-patch+json' }, code: 400, reason: 'BadRequest', message: cannot('json: cannot unmarshal object into Go struct field ConfigMap.data of type string') },
  { name: 'huge label map over the body limit', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'labels', labels: labels(150_000, (i) => `label-key-${i}`) } }), code: 413, reason: 'RequestEntityTooLarge', message: TOO_LARGE },
  { name: 'huge label map with one bad key', method: 'POST', path: CM, body: JSON.stringify({ metadata: { name: 'labels', labels: { ...labels(20_000), 'bad key': 'v' } } }), code: 422, reason: 'Invalid', message: /^ConfigMap "labels" is invalid: metadata\.labels: Invalid value: "bad key": name part must consist of/ },
  { name: 'garbage protobuf after the k8s\\0 magic', method: 'POST', path: CM, body: Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02])]), headers: PB, code: 400, reason: 'BadRequest', message: unrecognized },
  { name: 'truncated protobuf', method: 'POST', path: CM, body: goodEnvelope.subarray(0, goodEnvelope.length - 3), headers: PB, code: 400, reason: 'BadRequest', message: unrecognized },
  { name: 'gzip Content-Encoding on a body that is not gzip', method: 'POST', path: CM, body: '{"metadata":{"name":"gz"}}', headers: { 'content-encoding': 'gzip', ...JSON_TYPE }, code: 400, reason: 'BadRequest', message: 'incorrect header check' },
  { name: 'gzip bomb (8 MiB inflated)', method: 'POST', path: CM, body: gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip', ...JSON_TYPE }, code: 413, reason: 'RequestEntityTooLarge', message: TOO_LARGE },
  { name: 'wrong Content-Type', method: 'POST', path: CM, body: '{"metadata":{"name":"t"}}', headers: { 'content-type': 'text/plain' }, code: 415, reason: 'UnsupportedMediaType', message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf' },
  { name: 'negative limit', method: 'GET', path: `${CM}?limit=-1`, code: 400, reason: 'BadRequest', message: 'limit must be a non-negative integer, got -1' },
  { name: 'limit beyond int64', method: 'GET', path: `${CM}?limit=99999999999999999999`, code: 400, reason: 'BadRequest', message: 'invalid limit parameter: strconv.ParseInt: parsing "99999999999999999999": value out of range' },
  { name: 'bad resourceVersion', method: 'GET', path: `${CM}?resourceVersion=abc`, code: 400, reason: 'BadRequest', message: /^invalid resource version: / },
  { name: 'bad label selector', method: 'GET', path: `${CM}?labelSelector=${encodeURIComponent('a in (b')}`, code: 400, reason: 'BadRequest', message: "unable to parse requirement: found '', expected: ')'" },
  { name: 'bad field selector', method: 'GET', path: `${CM}?fieldSelector=${encodeURIComponent('spec.nope=x')}`, code: 400, reason: 'BadRequest', message: 'field label not supported: spec.nope' },
  { name: 'bad timeoutSeconds', method: 'GET', path: `${CM}?watch=1&timeoutSeconds=soon`, code: 400, reason: 'BadRequest', message: 'invalid timeoutSeconds parameter: strconv.ParseInt: parsing "soon": invalid syntax' },
  { name: 'bad fieldValidation', method: 'POST', path: `${CM}?fieldValidation=Lax`, body: '{"metadata":{"name":"fv"}}', code: 400, reason: 'BadRequest', message: 'fieldValidation parameter unsupported: "Lax"; must be one of Ignore, Warn or Strict' },
];

let t: TestServer;
const SLOW_HEADERS_MS = 1500;
let counted = 0;
let workload: ReturnType<typeof startWorkload>;

before(async () => {
  // Short connection timeouts, so the slow clients of the corpus are cut off within the test.
  t = await startTestServer({ connectionTimeouts: { headersTimeoutMs: SLOW_HEADERS_MS, keepAliveTimeoutMs: 5000, checkIntervalMs: 250 } });
  const r = await request(t.server, 'POST', CM, JSON.stringify({ metadata: { name: 'target' }, data: { k: 'v' } }));
  assert.equal(r.status, 201);
  workload = startWorkload(t.server);
});

after(async () => {
  const report = await workload.stop();
  console.log(`hostile corpus: ${counted} payloads refused; the concurrent workload made ${report.requests} requests, slowest ${report.slowestMs} ms`);
  await t.stop();
  assert.ok(counted >= 25, `only ${counted} payloads`);
  assert.deepEqual(report.errors, []);
  // The slowest payload (20 000 labels validated and refused) holds the loop about a second on a shared machine.
  assert.ok(report.slowestMs < 3000, `the workload waited ${report.slowestMs} ms`);
});

describe('robustness: the hostile-input corpus', () => {
  describe('HTTP', () => {
    for (const c of HTTP_CASES) {
      it(`${c.name} → ${c.code}`, async () => {
        const res: RawResponse = await request(t.server, c.method, c.path, c.body, c.headers);
        assertStatus(res, c.code, c.reason, c.message);
        await assertHealthy(t.server);
        counted++;
      });
    }

    it('a 1 MB header → 431 or a closed connection', async () => {
      const reply = await rawExchange(t.server, `GET /api HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`);
      assert.ok(reply === '' || /^HTTP\/1\.1 431 /.test(reply), reply.slice(0, 100));
      await assertHealthy(t.server);
      counted++;
    });

    it('slowloris: headers trickled past the headers timeout → 408 and a closed connection', async () => {
      const sock = connectRaw(t.server);
      let reply = '';
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => (reply += d));
      sock.on('error', () => undefined);
      const closed = new Promise<number>((r) => sock.on('close', () => r(Date.now())));
      await new Promise<void>((r) => sock.once(t.server.tls ? 'secureConnect' : 'connect', () => r()));
      const started = Date.now();
      sock.write('GET /api HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => sock.destroyed || sock.write('X-Slow: a\r\n'), 100);
      try {
        const after = (await closed) - started;
        assert.ok(after < SLOW_HEADERS_MS + 1500, `closed after ${after} ms`);
        assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      } finally {
        clearInterval(trickle);
      }
      await assertHealthy(t.server);
      counted++;
    });

    it('a TLS handshake never begun → a closed connection', async () => {
      assert.ok(t.server.tls, 'the corpus runs against the default TLS listener');
      const sock = netConnect(t.server.httpPort, '127.0.0.1');
      sock.on('error', () => undefined);
      const started = Date.now();
      await new Promise<void>((r) => sock.on('close', () => r()));
      assert.ok(Date.now() - started < SLOW_HEADERS_MS + 1500, `closed after ${Date.now() - started} ms`);
      await assertHealthy(t.server);
      counted++;
    });

    it('nothing of the corpus was stored, and the target is unchanged', async () => {
      for (const name of ['big', 'deep', 'dup', 'proto', 'labels', 'gz', 't', 'fv', 'from-proto']) {
        assert.equal((await request(t.server, 'GET', `${CM}/${name}`)).status, 404, name);
      }
      const target = await request(t.server, 'GET', `${CM}/target`);
      assert.deepEqual(target.body.data, { k: 'v' });
      assert.equal(target.body.metadata.annotations, undefined);
    });
  });

  describe('gRPC', () => {
    let configMaps: ConfigMapServiceClient;
    let raw: Client;
    before(() => {
      configMaps = new ConfigMapServiceClient(t.server.grpcAddress, grpcCredentials(t.server));
      raw = new Client(t.server.grpcAddress, grpcCredentials(t.server));
    });
    after(() => {
      configMaps.close();
      raw.close();
    });

    const rawCall = (path: string, bytes: Buffer): Promise<ServiceError> =>
      new Promise((resolve, reject) => {
        raw.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (err) => (err ? resolve(err) : reject(new Error('expected the call to fail'))));
      });
    const expectFailure = async (err: ServiceError, grpcCode: GrpcStatus, code: number, reason: string, message: string | RegExp): Promise<void> => {
      assert.equal(err.code, grpcCode, err.details);
      const failure = await grpcFailure(() => Promise.reject(err));
      assert.equal(failure.status.code, code);
      assert.equal(failure.status.reason, reason);
      if (typeof message === 'string') assert.equal(failure.status.message, message);
      else assert.match(failure.status.message ?? '', message);
      await assertHealthy(t.server);
      counted++;
    };

    for (const [name, bytes, cause] of [
      ['garbage bytes', Buffer.from([0x0f, 0x01]), 'proto: illegal wireType 7'],
      ['a truncated request message', Buffer.from([0x0a, 0x50, 0x61]), 'unexpected EOF'],
      ['random bytes', Buffer.from('k8s\0\xff\xff\xff\xff\x0f', 'latin1'), /./],
    ] as const) {
      it(`${name} → INVALID_ARGUMENT (400)`, async () => {
        const err = await rawCall('/wheelhouse.core.v1.ConfigMapService/Create', bytes);
        await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 400, 'BadRequest', typeof cause === 'string' ? `the request message of /wheelhouse.core.v1.ConfigMapService/Create could not be decoded: ${cause}` : /^the request message of \/wheelhouse\.core\.v1\.ConfigMapService\/Create could not be decoded: /);
      });
    }

    it('a 20 000-deep fieldsV1 → INVALID_ARGUMENT (400), as over HTTP', async () => {
      const object = toMessage<any>('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'deep' } });
      const deep = '{"f:a":'.repeat(20_000) + '{}' + '}'.repeat(20_000);
      object.metadata.managedFields = [{ manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from(deep) } }];
      const err = await unary((cb) => configMaps.create({ namespace: 'default', object }, cb)).then(
        () => assert.fail('expected the call to fail'),
        (e: ServiceError) => e,
      );
      await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 400, 'BadRequest', TOO_DEEP);
    });

    it('a negative limit → INVALID_ARGUMENT (400), as over HTTP', async () => {
      const err = await unary((cb) => configMaps.list({ namespace: 'default', options: { limit: -1 } } as never, cb)).then(
        () => assert.fail('expected the call to fail'),
        (e: ServiceError) => e,
      );
      await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 400, 'BadRequest', 'limit must be a non-negative integer, got -1');
    });

    it('a bad label selector → INVALID_ARGUMENT (400), as over HTTP', async () => {
      const err = await unary((cb) => configMaps.list({ namespace: 'default', options: { labelSelector: 'a in (b' } } as never, cb)).then(
        () => assert.fail('expected the call to fail'),
        (e: ServiceError) => e,
      );
      await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 400, 'BadRequest', "unable to parse requirement: found '', expected: ')'");
    });

    it('a __proto__ label → INVALID_ARGUMENT (422), as over HTTP', async () => {
      const object = toMessage<any>('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'proto' } });
      object.metadata.labels = JSON.parse('{"__proto__":"x"}');
      const err = await unary((cb) => configMaps.create({ namespace: 'default', object }, cb)).then(
        () => assert.fail('expected the call to fail'),
        (e: ServiceError) => e,
      );
      await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 422, 'Invalid', /^ConfigMap "proto" is invalid: metadata\.labels: Invalid value: "__proto__": name part must consist of/);
    });

    it('a bad field selector → INVALID_ARGUMENT (400), as over HTTP', async () => {
      const err = await unary((cb) => configMaps.list({ namespace: 'default', options: { fieldSelector: 'spec.nope=x' } } as never, cb)).then(
        () => assert.fail('expected the call to fail'),
        (e: ServiceError) => e,
      );
      await expectFailure(err, GrpcStatus.INVALID_ARGUMENT, 400, 'BadRequest', 'field label not supported: spec.nope');
    });
  });
});
