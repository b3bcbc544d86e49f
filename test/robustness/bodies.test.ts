/** Hostile request bodies: every one is a 4xx Status, none crashes, hangs or blows the stack. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeK8sEnvelope } from '../../src/machinery/schema/envelope.js';
import { assertStatus, rawExchange, request, useServerWithTarget } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const PB = { 'content-type': 'application/vnd.kubernetes.protobuf' };
const YAML = { 'content-type': 'application/yaml' };
const TOO_DEEP = 'the request body is nested too deeply: more than 1000 levels of objects and arrays';
const TOO_DEEP_YAML = 'the request body is nested too deeply: more than 300 levels of objects and arrays';

/** ConfigMap protobuf bytes with metadata.name = `name`. */
function configMapProto(name: string): Buffer {
  const n = Buffer.from(name);
  const meta = Buffer.concat([Buffer.from([0x0a, n.length]), n]);
  return Buffer.concat([Buffer.from([0x0a, meta.length]), meta]);
}
const envelope = (apiVersion: string, kind: string, raw: Uint8Array): Buffer => Buffer.from(writeK8sEnvelope({ apiVersion, kind, raw }));
const nestedObject = (levels: number, leaf = '1'): string => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
const cannot = (kind: string, detail: string): string => `${kind} in version "v1" cannot be handled as a ${kind}: ${detail}`;

describe('robustness: request bodies', () => {
  const server = useServerWithTarget();

  describe('JSON', () => {
    it('400s JSON that does not parse', async () => {
      for (const body of ['{bad', '{"metadata":', '\u0000\u0001', '{"a":1}}']) {
        const r = await request(server().server, 'POST', CM, body);
        assertStatus(r, 400, 'BadRequest', /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: (invalid character .*|unexpected end of JSON input) \(.*\)$/);
      }
    });

    it('400s JSON that is not an object, naming what it got', async () => {
      const cases: Array<[string, string]> = [
        ['[1,2]', 'array'],
        ['"configmap"', 'string'],
        ['42', 'number'],
        ['true', 'boolean'],
        ['null', 'null'],
      ];
      for (const [body, what] of cases) {
        const r = await request(server().server, 'POST', CM, body);
        assertStatus(r, 400, 'BadRequest', cannot('ConfigMap', `json: cannot unmarshal ${what} into Go value of type ConfigMap`));
        const put = await request(server().server, 'PUT', `${CM}/target`, body);
        assertStatus(put, 400, 'BadRequest', cannot('ConfigMap', `json: cannot unmarshal ${what} into Go value of type ConfigMap`));
      }
    });

    it('400s wrong field types deep inside an object with the Go field path', async () => {
      const pod = await request(server().server, 'POST', PODS, JSON.stringify({ metadata: { name: 'p' }, spec: { containers: 'x' } }));
      assertStatus(pod, 400, 'BadRequest', cannot('Pod', 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container'));
      const port = await request(
        server().server,
        'POST',
        PODS,
        JSON.stringify({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'eighty' }] }] } }),
      );
      assertStatus(port, 400, 'BadRequest', /^Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort\.spec\.containers\.ports\.containerPort of type int32$/);
      const meta = await request(server().server, 'POST', CM, JSON.stringify({ metadata: 'x' }));
      assertStatus(meta, 400, 'BadRequest', /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap\.metadata of type v1\.ObjectMeta$/);
      const labels = await request(server().server, 'POST', CM, JSON.stringify({ metadata: { name: 'l', labels: { a: { b: 'c' } } } }));
      assertStatus(labels, 400, 'BadRequest', cannot('ConfigMap', 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string'));
    });

    it('400s an empty body on POST and PUT as upstream does', async () => {
      const message = `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)`;
      assertStatus(await request(server().server, 'POST', CM, ''), 400, 'BadRequest', message);
      assertStatus(await request(server().server, 'PUT', `${CM}/target`, ''), 400, 'BadRequest', message);
      assertStatus(await request(server().server, 'POST', CM), 400, 'BadRequest', message);
      const patch = await request(server().server, 'PATCH', `${CM}/target`, '', { 'content-type': 'application/merge-patch+json' });
      assertStatus(patch, 400, 'BadRequest', 'the body of the request is empty');
    });

    it('415s a body in a media type nobody registered', async () => {
      const r = await request(server().server, 'POST', CM, '{}', { 'content-type': 'text/plain' });
      assertStatus(
        r,
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
    });
  });

  describe('size', () => {
    it('413s a body over 3 MiB with upstream\'s message', async () => {
      const big = JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } });
      assertStatus(await request(server().server, 'POST', CM, big), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      const patch = await request(server().server, 'PATCH', `${CM}/target`, big, { 'content-type': 'application/merge-patch+json' });
      assertStatus(patch, 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      assertStatus(await request(server().server, 'POST', CM, Buffer.alloc(3 * 1024 * 1024 + 1, 0x20)), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    });

    it('413s on a declared Content-Length without waiting for the body', async () => {
      const started = Date.now();
      const reply = await rawExchange(
        server().server,
        `POST ${CM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n{`,
      );
      assert.match(reply, /^HTTP\/1\.1 413 /);
      assert.match(reply, /"reason":"RequestEntityTooLarge"/);
      assert.ok(Date.now() - started < 1500, 'answered before the connection timed out');
    });

    it('stores a body just under the limit and reads it back', async () => {
      const value = 'y'.repeat(900 * 1024);
      const r = await request(server().server, 'POST', CM, JSON.stringify({ metadata: { name: 'nearly-big' }, data: { a: value } }));
      assert.equal(r.status, 201);
      const got = await request(server().server, 'GET', `${CM}/nearly-big`);
      assert.equal(got.body.data.a.length, value.length);
    });
  });

  describe('deep nesting', () => {
    it('400s a million nested arrays quickly', async () => {
      const started = Date.now();
      const r = await request(server().server, 'POST', CM, '['.repeat(1_000_000) + ']'.repeat(1_000_000));
      assertStatus(r, 400, 'BadRequest', TOO_DEEP);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });

    it('400s thousands of levels in free-form JSON (managedFields.fieldsV1) instead of overflowing the stack', async () => {
      for (const levels of [1500, 5000, 100_000]) {
        const body = `{"metadata":{"name":"deep","managedFields":[{"manager":"m","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":${nestedObject(levels)}}]}}`;
        assertStatus(await request(server().server, 'POST', CM, body), 400, 'BadRequest', TOO_DEEP);
      }
      assert.equal((await request(server().server, 'GET', `${CM}/deep`)).status, 404);
    });

    it('keeps serving nesting well inside the limit end to end', async () => {
      // A valid entry (apiVersion, f: keys) is kept as sent; an invalid one would be rebuilt, as upstream.
      const body = `{"metadata":{"name":"nested-ok","managedFields":[{"manager":"m","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":${'{"f:a":'.repeat(500)}{}${'}'.repeat(500)}}]}}`;
      assert.equal((await request(server().server, 'POST', CM, body)).status, 201);
      const got = await request(server().server, 'GET', `${CM}/nested-ok`);
      assert.equal(got.status, 200);
      let node = got.body.metadata.managedFields[0].fieldsV1;
      let depth = 0;
      while (typeof node === 'object') {
        node = node['f:a'];
        depth++;
      }
      assert.equal(depth, 501);
      assert.equal((await request(server().server, 'GET', CM)).status, 200);
      assert.equal((await request(server().server, 'DELETE', `${CM}/nested-ok`)).status, 200);
    });

    it('400s deep patches of every patch type', async () => {
      const deep = nestedObject(5000);
      const cases: Array<[string, string]> = [
        ['application/merge-patch+json', `{"metadata":{"annotations":${deep}}}`],
        ['application/strategic-merge-patch+json', `{"metadata":{"annotations":${deep}}}`],
        ['application/json-patch+json', `[{"op":"add","path":"/metadata/annotations","value":${deep}}]`],
      ];
      for (const [type, body] of cases) {
        assertStatus(await request(server().server, 'PATCH', `${CM}/target`, body, { 'content-type': type }), 400, 'BadRequest', TOO_DEEP);
      }
      const apply = await request(server().server, 'PATCH', `${CM}/target?fieldManager=m`, `{"metadata":{"annotations":${deep}}}`, {
        'content-type': 'application/apply-patch+yaml',
      });
      assertStatus(apply, 400, 'BadRequest', TOO_DEEP_YAML);
      const got = await request(server().server, 'GET', `${CM}/target`);
      assert.deepEqual(got.body.data, { k: 'v' });
    });

    it('400s deep YAML (flow and block) before the parser recurses, however often it is sent', async () => {
      const flow = '['.repeat(5000) + ']'.repeat(5000);
      const block = Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
      const sequences = Array.from({ length: 400 }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n') + ' 1\n';
      const compact = '- '.repeat(400) + 'x\n';
      // A stack overflow inside the YAML parser, repeated, used to kill the process.
      for (let round = 0; round < 3; round++) {
        for (const body of [flow, block, sequences, compact]) {
          assertStatus(await request(server().server, 'POST', CM, body, YAML), 400, 'BadRequest', TOO_DEEP_YAML);
        }
      }
      const ok = await request(server().server, 'POST', CM, 'metadata:\n  name: from-yaml\ndata:\n  a: "[[[[not nesting"\n', YAML);
      assert.equal(ok.status, 201);
    });

    it('400s YAML that does not parse, and a YAML alias bomb', async () => {
      assertStatus(await request(server().server, 'POST', CM, 'a: [b\n  c: : :', YAML), 400, 'BadRequest', /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line 1: /);
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        .concat('bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`))
        .join('\n');
      const started = Date.now();
      assertStatus(await request(server().server, 'POST', CM, bomb, YAML), 400, 'BadRequest', /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: document contains excessive aliasing \(/);
      assert.ok(Date.now() - started < 2000);
      assertStatus(await request(server().server, 'POST', CM, '"just a string"', YAML), 400, 'BadRequest', cannot('ConfigMap', 'json: cannot unmarshal string into Go value of type ConfigMap'));
    });
  });

  describe('protobuf', () => {
    it('creates from a well-formed envelope (the baseline the broken ones are measured against)', async () => {
      const r = await request(server().server, 'POST', CM, envelope('v1', 'ConfigMap', configMapProto('from-proto')), PB);
      assert.equal(r.status, 201);
      assert.equal(r.body.metadata.name, 'from-proto');
    });

    it('400s garbage and truncation after the k8s\\0 magic', async () => {
      const good = envelope('v1', 'ConfigMap', configMapProto('abc'));
      const bodies = [
        Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02])]),
        good.subarray(0, good.length - 3),
        Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f])]),
      ];
      for (const body of bodies) {
        assertStatus(await request(server().server, 'POST', CM, body, PB), 400, 'BadRequest', /^the object provided is unrecognized \(must be of type ConfigMap\): (unexpected EOF|proto: illegal wireType \d+) \(6b387300[0-9a-f]+( \.\.\.)?\)$/);
      }
      const inner = envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x10, 0x0a, 0x03]));
      assertStatus(await request(server().server, 'POST', CM, inner, PB), 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF');
      assertStatus(
        await request(server().server, 'POST', CM, Buffer.from('{"kind":"ConfigMap"}'), PB),
        400,
        'BadRequest',
        'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"ConfigMap"})',
      );
    });

    it('400s an envelope naming an unknown or mismatched kind', async () => {
      const unknown = await request(server().server, 'POST', CM, envelope('v1', 'Bogus', new Uint8Array()), PB);
      assertStatus(unknown, 400, 'BadRequest', `Bogus in version "v1" cannot be handled as a ConfigMap: no kind "Bogus" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
      const group = await request(server().server, 'POST', CM, envelope('nope.example.com/v9', 'ConfigMap', new Uint8Array()), PB);
      assertStatus(group, 400, 'BadRequest', `ConfigMap in version "v9" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "nope.example.com/v9" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
      const empty = await request(server().server, 'POST', CM, Buffer.from('k8s\0'), PB);
      assertStatus(empty, 400, 'BadRequest', 'the object provided is unrecognized (must be of type ConfigMap): empty body (6b387300)');
      const other = await request(server().server, 'POST', CM, envelope('v1', 'Secret', configMapProto('s')), PB);
      assertStatus(other, 400, 'BadRequest', 'Secret in version "v1" cannot be handled as a ConfigMap: the kind in the body does not match the resource');
      const deploy = await request(server().server, 'POST', DEPLOY, envelope('v1', 'ConfigMap', configMapProto('d')), PB);
      assertStatus(deploy, 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a Deployment: the kind in the body does not match the resource');
    });
  });
});
