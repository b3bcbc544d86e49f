/**
 * Protobuf watch streams as upstream frames them (`application/vnd.kubernetes.protobuf;stream=watch`):
 * each event a meta/v1 WatchEvent, prefixed with its length as 4 big-endian bytes, whose
 * object is the `k8s\0` envelope of the event's object. Oracles: upstream's WatchEvent
 * and round-trip fixtures. YAML has no watch framing (406).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WatchEvent } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import { encodeWatchFrame } from '../../src/endpoints/response/encode.js';
import { decodeProtobufObject, K8S_PROTOBUF_MAGIC, messageToKubeJson, parseK8sEnvelope } from '../../src/machinery/schema/index.js';
import { replaceField } from '../helpers/protobuf-wire.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/kube-roundtrip');

interface Frame {
  type: string;
  raw: Buffer;
}

/** Reads `count` length-prefixed WatchEvent frames from a streaming response, then stops it. */
async function readFrames(res: Response, count: number, abort: AbortController): Promise<Frame[]> {
  const reader = res.body!.getReader();
  let buf = Buffer.alloc(0);
  const frames: Frame[] = [];
  while (frames.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf = Buffer.concat([buf, Buffer.from(value)]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      const len = buf.readUInt32BE(0);
      const ev = WatchEvent.decode(buf.subarray(4, 4 + len));
      frames.push({ type: ev.type ?? '', raw: Buffer.from(ev.object?.raw ?? []) });
      buf = buf.subarray(4 + len);
    }
  }
  abort.abort();
  return frames;
}

function decodeObject(raw: Uint8Array, typeName: string): Json {
  const env = parseK8sEnvelope(raw);
  return { apiVersion: env.apiVersion, kind: env.kind, ...messageToKubeJson(typeName, decodeProtobufObject(typeName, env.raw)) };
}

describe('protobuf watch framing', () => {
  let t: TestServer;
  const CM = '/api/v1/namespaces/default/configmaps';
  const watch = async (query: string, accept = PROTOBUF): Promise<{ res: Response; abort: AbortController }> => {
    const abort = new AbortController();
    const res = await fetch(`${t.server.url}${CM}?watch=true&${query}`, { headers: { accept }, signal: abort.signal });
    return { res, abort };
  };

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.stop();
  });

  it('lays out a WatchEvent as upstream (the WatchEvent fixture)', () => {
    const fixture = readFileSync(join(FIXTURES, 'core.v1.WatchEvent.pb'));
    const inner = parseK8sEnvelope(fixture).raw;
    const decoded = WatchEvent.decode(inner);
    // Our frame of the same event: 4-byte length, then the same WatchEvent bytes.
    const object = JSON.parse(Buffer.from(decoded.object!.raw!).toString('utf8'));
    const frame = Buffer.from(encodeWatchFrame('application/json', { type: decoded.type as 'ADDED', object }, undefined));
    assert.equal(frame.toString('utf8'), `${JSON.stringify({ type: 'typeValue', object })}\n`);
    // The protobuf frame wraps exactly those WatchEvent bytes (its object here: a ConfigMap envelope).
    const cm = readFileSync(join(FIXTURES, 'core.v1.ConfigMap.pb'));
    const cmJson = JSON.parse(readFileSync(join(FIXTURES, 'core.v1.ConfigMap.json'), 'utf8'));
    const served = { kind: 'ConfigMap', listKind: 'ConfigMapList', schema: { proto: { typeName: 'k8s.io.api.core.v1.ConfigMap', listTypeName: 'k8s.io.api.core.v1.ConfigMapList' } } } as never;
    const pb = Buffer.from(encodeWatchFrame(PROTOBUF, { type: 'typeValue' as 'ADDED', object: cmJson }, served));
    assert.equal(pb.readUInt32BE(0), pb.length - 4);
    const expected = replaceField(inner, [2, 1], cm);
    assert.equal(pb.subarray(4).toString('hex'), Buffer.from(expected).toString('hex'));
  });

  it('streams ADDED, MODIFIED and DELETED as length-prefixed WatchEvents with enveloped objects', async () => {
    const created = await api(t.server, 'POST', CM, { metadata: { name: 'pw-1', labels: { w: 'pb' } }, data: { a: '1' } });
    assert.equal(created.status, 201);
    const { res, abort } = await watch('labelSelector=w%3Dpb');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), `${PROTOBUF};stream=watch`);
    const pending = readFrames(res, 3, abort);
    const updated = await api(t.server, 'PUT', `${CM}/pw-1`, { ...created.body, data: { a: '2' } });
    assert.equal(updated.status, 200);
    const deleted = await api(t.server, 'DELETE', `${CM}/pw-1`);
    assert.equal(deleted.status, 200);
    const frames = await pending;
    assert.deepEqual(frames.map((f) => f.type), ['ADDED', 'MODIFIED', 'DELETED']);
    const objects = frames.map((f) => decodeObject(f.raw, 'k8s.io.api.core.v1.ConfigMap'));
    assert.deepEqual(objects.map((o) => [o.apiVersion, o.kind, o.metadata.name, o.data]), [
      ['v1', 'ConfigMap', 'pw-1', { a: '1' }],
      ['v1', 'ConfigMap', 'pw-1', { a: '2' }],
      ['v1', 'ConfigMap', 'pw-1', { a: '2' }],
    ]);
    assert.equal(objects[1]!.metadata.resourceVersion, updated.body.metadata.resourceVersion);
    // Each embedded object is the same envelope a protobuf GET would have written.
    assert.ok(frames.every((f) => f.raw.subarray(0, 4).equals(Buffer.from(K8S_PROTOBUF_MAGIC))));
  });

  it('sends an ERROR event with its Status in protobuf', async () => {
    const rv = (await api(t.server, 'GET', CM)).body.metadata.resourceVersion;
    await api(t.server, 'POST', CM, { metadata: { name: 'pw-compact' } });
    await api(t.server, 'POST', CM, { metadata: { name: 'pw-compact-2' } });
    await t.server.backend.compact(Number((await api(t.server, 'GET', CM)).body.metadata.resourceVersion));
    const { res, abort } = await watch(`resourceVersion=${rv}`);
    assert.equal(res.status, 200);
    const [frame] = await readFrames(res, 1, abort);
    assert.equal(frame!.type, 'ERROR');
    const status = decodeObject(frame!.raw, 'k8s.io.apimachinery.pkg.apis.meta.v1.Status');
    assert.deepEqual([status.kind, status.code, status.reason], ['Status', 410, 'Expired']);
    assert.equal(status.message, (await (async () => {
      const again = await fetch(`${t.server.url}${CM}?watch=true&resourceVersion=${rv}`, { headers: { accept: 'application/json' } });
      const line = (await again.text()).split('\n')[0]!;
      return JSON.parse(line).object.message;
    })()));
  });

  it('406s a watch in YAML, listing the stream media types', async () => {
    const r = await api(t.server, 'GET', `${CM}?watch=true`, undefined, { accept: 'application/yaml' });
    assert.equal(r.status, 406);
    assert.deepEqual(r.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'only the following media types are accepted: application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch',
      reason: 'NotAcceptable',
      code: 406,
    });
  });
});
