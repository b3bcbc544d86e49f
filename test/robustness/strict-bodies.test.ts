/**
 * Bodies whose keys repeat, whose bytes are not UTF-8, or whose keys name object machinery
 * (`__proto__`, `constructor`) are judged as kube-apiserver judges them: repeated keys are
 * strict decoding errors (400 under fieldValidation=Strict, a Warning under Warn, nothing
 * under Ignore; the last value wins), invalid UTF-8 is replaced as Go's decoder replaces it
 * and then validated, and `__proto__` is a key like any other, never a prototype.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStatus, request, useServerWithTarget } from './helpers.js';

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const YAML = { 'content-type': 'application/yaml' };
const cannot = (detail: string): string => `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${detail}`;
const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('robustness: strict decoding of bodies', () => {
  const server = useServerWithTarget();

  describe('duplicate JSON keys', () => {
    const body = (name: string): string => `{"metadata":{"name":"${name}","name":"${name}"},"data":{"a":"1","a":"2"}}`;

    it('400s under Strict, naming each repeat by its path with the unknown fields in document order', async () => {
      const r = await request(server().server, 'POST', `${CM}?fieldValidation=Strict`, `{"metadata":{"name":"s1","bogus":1,"name":"s1"},"data":{"a":"1","a":"2"},"extra":true}`);
      assertStatus(r, 400, 'BadRequest', cannot('strict decoding error: unknown field "metadata.bogus", duplicate field "metadata.name", duplicate field "data.a", unknown field "extra"'));
      assert.equal((await request(server().server, 'GET', `${CM}/s1`)).status, 404);
      const put = await request(server().server, 'PUT', `${CM}/target?fieldValidation=Strict`, `{"metadata":{"name":"target"},"data":{"k":"v","k":"w"}}`);
      assertStatus(put, 400, 'BadRequest', cannot('strict decoding error: duplicate field "data.k"'));
    });

    it('paths go through lists as upstream prints them', async () => {
      const deploy = `{"metadata":{"name":"dd"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"},{"name":"d","image":"i","image":"j"}]}}}}`;
      const r = await request(server().server, 'POST', `${DEPLOY}?fieldValidation=Strict`, deploy);
      assertStatus(r, 400, 'BadRequest', 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.template.spec.containers[1].image"');
    });

    it('does not look inside fieldsV1, which Go keeps as raw JSON', async () => {
      const body = `{"metadata":{"name":"raw","managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{},"f:data":{}}}]}}`;
      const r = await request(server().server, 'POST', `${CM}?fieldValidation=Strict`, body);
      assert.equal(r.status, 201, r.text);
    });

    it('warns under Warn (and by default) and keeps the last value', async () => {
      const r = await request(server().server, 'POST', `${CM}?fieldValidation=Warn`, body('w1'));
      assert.equal(r.status, 201);
      assert.equal(r.headers['warning'], '299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data.a\\""');
      assert.deepEqual(r.body.data, { a: '2' });
      const byDefault = await request(server().server, 'POST', CM, body('w2'));
      assert.equal(byDefault.status, 201);
      assert.equal(byDefault.headers['warning'], '299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data.a\\""');
    });

    it('accepts silently under Ignore', async () => {
      const r = await request(server().server, 'POST', `${CM}?fieldValidation=Ignore`, body('i1'));
      assert.equal(r.status, 201);
      assert.equal(r.headers['warning'], undefined);
      assert.deepEqual(r.body.data, { a: '2' });
    });
  });

  describe('duplicate YAML keys', () => {
    const yaml = (name: string): string => `metadata:\n  name: ${name}\n  name: ${name}\ndata:\n  a: "1"\n  a: "2"\n`;
    const goYaml = 'error converting YAML to JSON: yaml: unmarshal errors:\n  line 3: key "name" already set in map\n  line 6: key "a" already set in map';

    it('400s under Strict with go-yaml\'s strict error', async () => {
      assertStatus(await request(server().server, 'POST', `${CM}?fieldValidation=Strict`, yaml('y1'), YAML), 400, 'BadRequest', cannot(`strict decoding error: ${goYaml}`));
    });

    it('warns under Warn, accepts under Ignore, the last value winning', async () => {
      const warn = await request(server().server, 'POST', `${CM}?fieldValidation=Warn`, yaml('y2'), YAML);
      assert.equal(warn.status, 201);
      assert.equal(warn.headers['warning'], `299 - ${JSON.stringify(goYaml)}`);
      assert.deepEqual(warn.body.data, { a: '2' });
      const ignore = await request(server().server, 'POST', `${CM}?fieldValidation=Ignore`, yaml('y3'), YAML);
      assert.equal(ignore.status, 201);
      assert.equal(ignore.headers['warning'], undefined);
    });
  });

  describe('invalid UTF-8', () => {
    it('400s invalid bytes outside strings with Go\'s syntax error', async () => {
      const r = await request(server().server, 'POST', CM, bytes('{"metadata":{"name":"u"}}', [0xff]));
      assertStatus(r, 400, 'BadRequest', `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'ÿ' after top-level value ({"metadata":{"name":"u"}}\ufffd)`);
      const start = await request(server().server, 'POST', CM, bytes([0xc3, 0x28]));
      assertStatus(start, 400, 'BadRequest', /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: invalid character 'Ã' looking for beginning of value /);
    });

    it('replaces invalid bytes in strings with U+FFFD as Go does, then validates: 422 in a name or label', async () => {
      const name = await request(server().server, 'POST', CM, bytes('{"metadata":{"name":"u', [0xc3], '"}}'));
      assertStatus(name, 422, 'Invalid', /^ConfigMap "u\ufffd" is invalid: metadata\.name: Invalid value: "u\ufffd": a lowercase RFC 1123 subdomain must consist of/);
      const label = await request(server().server, 'POST', CM, bytes('{"metadata":{"name":"u2","labels":{"a":"', [0xed, 0xa0, 0x80], '"}}}'));
      assertStatus(label, 422, 'Invalid', /^ConfigMap "u2" is invalid: metadata\.labels: Invalid value: "\ufffd\ufffd\ufffd": a valid label must be an empty string or consist of/);
      const value = await request(server().server, 'POST', CM, bytes('{"metadata":{"name":"u3"},"data":{"a":"x', [0xff, 0xfe], '"}}'));
      assert.equal(value.status, 201);
      assert.equal(value.body.data.a, 'x\ufffd\ufffd');
    });
  });

  describe('__proto__ and constructor keys', () => {
    it('judges a __proto__ label key as any other invalid label key', async () => {
      const r = await request(server().server, 'POST', CM, '{"metadata":{"name":"p1","labels":{"__proto__":"x","constructor":"y"}}}');
      assertStatus(r, 422, 'Invalid', /^ConfigMap "p1" is invalid: metadata\.labels: Invalid value: "__proto__": name part must consist of alphanumeric characters/);
    });

    it('keeps constructor as a plain key, judges __proto__ as data, and no later object gains a field', async () => {
      const annotation = await request(server().server, 'POST', CM, '{"metadata":{"name":"p2","annotations":{"__proto__":"a"}}}');
      assertStatus(annotation, 422, 'Invalid', /^ConfigMap "p2" is invalid: metadata\.annotations: Invalid value: "__proto__": name part must consist of alphanumeric characters/);
      const created = await request(server().server, 'POST', CM, '{"metadata":{"name":"p2","labels":{"constructor":"y"}},"data":{"constructor":"c","toString":"t","__proto__":"p"}}');
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.body.metadata.labels, { constructor: 'y' });
      // A valid ConfigMap key like any other: stored (as protobuf) and read back as a plain key.
      assert.equal(created.text.includes('"data":{"__proto__":"p","constructor":"c","toString":"t"}'), true, created.text.slice(-200));
      const read = await request(server().server, 'GET', `${CM}/p2`);
      assert.equal(read.text.includes('"data":{"__proto__":"p","constructor":"c","toString":"t"}'), true, read.text.slice(-200));
      assert.equal(Object.getPrototypeOf(read.body.data), Object.prototype);
      // A __proto__ object in a merge patch and at the top of a body: data, or an unknown field, never a prototype.
      const patched = await request(server().server, 'PATCH', `${CM}/p2`, '{"__proto__":{"polluted":"yes"},"metadata":{"labels":{"__proto__":null}},"data":{"__proto__":{"polluted":"yes"}}}', {
        'content-type': 'application/merge-patch+json',
      });
      assertStatus(patched, 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal object into Go struct field ConfigMap.data of type string');
      const top = await request(server().server, 'POST', CM, '{"__proto__":{"polluted":"yes","data":{"x":"y"}},"metadata":{"name":"p3","__proto__":{"polluted":"yes"}}}');
      assert.equal(top.status, 201, top.text);
      assert.equal(top.headers['warning'], '299 - "unknown field \\"__proto__\\"", 299 - "unknown field \\"metadata.__proto__\\""');
      assert.equal(top.body.data, undefined);
      assert.equal(top.body.polluted, undefined);
      const later = await request(server().server, 'POST', CM, '{"metadata":{"name":"p4"}}');
      assert.equal(later.status, 201);
      assert.equal(later.body.polluted, undefined);
      assert.equal(later.body.metadata.polluted, undefined);
      assert.equal(later.body.data, undefined);
      const list = await request(server().server, 'GET', CM);
      for (const item of list.body.items) assert.equal(item.polluted, undefined, item.metadata.name);
    });
  });
});
