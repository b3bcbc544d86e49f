/**
 * The storage codec writes values as kube-apiserver does: for every kind the registry
 * defines, the fixture's object encodes to exactly the fixture's `.pb` (the `k8s\0`
 * envelope); with application/json it writes JSON with kind and apiVersion; it reads
 * both formats and the previous release's JSON without a type, whatever it writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { createScheme } from '../../src/machinery/runtime/scheme.js';
import { definitionApiVersion } from '../../src/registry/rest/definition.js';
import { servedViews } from '../../src/registry/rest/served.js';
import { protobufTypeLookup } from '../../src/server/storage-types.js';
import { JSON_MEDIA_TYPE, parseStorageMediaType, PROTOBUF_MEDIA_TYPE, storageCodec } from '../../src/storage/index.js';
import { describeDifference, firstJsonDifference } from '../machinery/json-diff.js';
import { fixturePath, hasFixture } from '../machinery/fixture-files.js';

const views = builtinDefinitions.flatMap(servedViews);
const scheme = createScheme();
scheme.register(views.map((v) => v.schema));
const lookup = protobufTypeLookup(scheme);
const protobuf = storageCodec({ mediaType: PROTOBUF_MEDIA_TYPE, protobufType: lookup });
const json = storageCodec({ mediaType: JSON_MEDIA_TYPE, protobufType: lookup });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function assertSameJson(actual: unknown, expected: unknown): void {
  const d = firstJsonDifference(expected, actual);
  if (d) assert.fail(describeDifference(d));
}

describe('protobuf storage encoding of every defined kind is the fixture, byte for byte', () => {
  for (const def of views) {
    const fixture = `${def.group || 'core'}.${def.version}.${def.kind}`;
    // Every storage version has an upstream fixture; other versions are checked where upstream ships one.
    const storage = def.version === def.storageVersion && def.resource === def.definition.resource;
    if (!storage && !hasFixture(fixture)) continue;
    it(`${fixture}`, () => {
      const object = JSON.parse(readFileSync(fixturePath(`${fixture}.json`), 'utf8')) as Record<string, unknown>;
      const pb = new Uint8Array(readFileSync(fixturePath(`${fixture}.pb`)));
      assert.equal(object.apiVersion, definitionApiVersion(def));
      assert.equal(hex(protobuf.encode(object)), hex(pb));
      // Read back (by either codec) it is the fixture again, apiVersion and kind included.
      assertSameJson(protobuf.decode(pb), object);
      assertSameJson(json.decode(pb), object);
    });
  }
});

describe('storage codec formats', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { k: 'v' } };

  it('writes JSON as upstream: kind, apiVersion, the object, a newline', () => {
    const bytes = json.encode({ metadata: cm.metadata, data: cm.data, kind: 'ConfigMap', apiVersion: 'v1' });
    assert.equal(text(bytes), '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"ns"},"data":{"k":"v"}}\n');
  });

  it('reads JSON and protobuf values whatever it writes', () => {
    const fromProtobuf = protobuf.encode(cm);
    assert.equal(hex(fromProtobuf.subarray(0, 4)), '6b387300');
    const fromJson = json.encode(cm);
    for (const codec of [protobuf, json]) {
      assert.deepEqual(codec.decode(fromProtobuf), cm);
      assert.deepEqual(codec.decode(fromJson), cm);
    }
  });

  it("reads the previous release's JSON, which has no apiVersion or kind", () => {
    const old = Buffer.from('{"metadata":{"name":"a","namespace":"ns"},"data":{"k":"v"}}');
    assert.deepEqual(protobuf.decode(old), { metadata: cm.metadata, data: cm.data });
  });

  it('writes JSON for a kind without a protobuf message, and for an object without a type', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } };
    assert.equal(text(protobuf.encode(widget)), '{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"name":"w"},"spec":{"size":3}}\n');
    assert.deepEqual(protobuf.decode(protobuf.encode(widget)), widget);
    assert.equal(text(protobuf.encode({ metadata: { name: 'x' } })), '{"metadata":{"name":"x"}}\n');
  });

  it('refuses to read an envelope of a kind it has no message for', () => {
    const foreign = storageCodec({ mediaType: PROTOBUF_MEDIA_TYPE, protobufType: () => 'k8s.io.api.core.v1.ConfigMap' }).encode({
      ...cm,
      apiVersion: 'example.com/v1',
      kind: 'Widget',
    });
    assert.throws(() => protobuf.decode(foreign), { message: 'no protobuf message is known for example.com/v1, Kind=Widget' });
  });

  it('accepts the two media types and names them when given another', () => {
    assert.equal(parseStorageMediaType('application/json'), JSON_MEDIA_TYPE);
    assert.equal(parseStorageMediaType('application/vnd.kubernetes.protobuf'), PROTOBUF_MEDIA_TYPE);
    assert.throws(() => parseStorageMediaType('application/yaml'), {
      message:
        'invalid value "application/yaml" for --storage-media-type: supported media types are application/json, application/vnd.kubernetes.protobuf',
    });
  });
});
