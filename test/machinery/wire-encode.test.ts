/**
 * The protobuf encoder writes upstream's bytes: every served fixture's JSON object
 * encodes to exactly the fixture's `.pb` (envelope included), and objects with unset
 * and zero fields encode as gogo's generated Marshal writes the same Go value.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encodeWireMessage, kubeJsonToMessage, parseK8sEnvelope, writeK8sEnvelope } from '../../src/machinery/schema/index.js';
import { fixturePath } from './fixture-files.js';
import { SERVED_FIXTURES } from './roundtrip-kinds.js';

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Encodes Kubernetes JSON of `typeName` and returns the hex of its bytes. */
function encodeJson(typeName: string, json: unknown): string {
  return hex(encodeWireMessage(typeName, kubeJsonToMessage(typeName, json).message));
}

describe('byte-identical to upstream on the round-trip fixtures', () => {
  for (const { fixture, typeName } of SERVED_FIXTURES) {
    it(`${fixture}: JSON -> protobuf is the fixture's .pb`, () => {
      const json = JSON.parse(readFileSync(fixturePath(`${fixture}.json`), 'utf8')) as Record<string, unknown>;
      const pb = new Uint8Array(readFileSync(fixturePath(`${fixture}.pb`)));
      const envelope = parseK8sEnvelope(pb);
      const raw = encodeWireMessage(typeName, kubeJsonToMessage(typeName, json).message);
      assert.equal(hex(raw), hex(envelope.raw));
      const whole = writeK8sEnvelope({ apiVersion: envelope.apiVersion, kind: envelope.kind, raw });
      assert.equal(hex(whole), hex(pb));
    });
  }
});

describe('zero values as gogo writes them', () => {
  it('writes every non-pointer scalar of ContainerPort, zero included', () => {
    // Go: ContainerPort{} — Name, HostPort, ContainerPort, Protocol, HostIP are plain values,
    // so Marshal writes each: 0a 00 (name ""), 10 00 (hostPort 0), 18 00 (containerPort 0),
    // 22 00 (protocol ""), 2a 00 (hostIP "").
    assert.equal(encodeJson(`${CORE}.ContainerPort`, {}), '0a00' + '1000' + '1800' + '2200' + '2a00');
  });

  it('writes an embedded non-pointer struct always and a nil pointer never (ConfigMapKeySelector)', () => {
    // Go: ConfigMapKeySelector{} — LocalObjectReference is an embedded struct (field 1,
    // always written: 0a 02 holding its name "" = 0a 00), Key is a plain string (12 00),
    // Optional is *bool and nil: absent.
    assert.equal(encodeJson(`${CORE}.ConfigMapKeySelector`, {}), '0a020a00' + '1200');
    // A set pointer zero is written: optional: false = 18 00.
    assert.equal(encodeJson(`${CORE}.ConfigMapKeySelector`, { optional: false }), '0a020a00' + '1200' + '1800');
  });

  it('writes ObjectMeta{} as its eight plain fields, the zero creationTimestamp empty', () => {
    // name, generateName, namespace, selfLink, uid, resourceVersion: 0a00 1200 1a00 2200 2a00 3200;
    // generation 0: 3800; creationTimestamp (metav1.Time, a plain struct whose Marshal writes
    // nothing for the zero time): 4200. deletionTimestamp and deletionGracePeriodSeconds are
    // pointers, labels/annotations/ownerReferences/finalizers/managedFields empty: absent.
    assert.equal(encodeJson(`${META}.ObjectMeta`, {}), '0a00' + '1200' + '1a00' + '2200' + '2a00' + '3200' + '3800' + '4200');
  });

  it('writes a negative int32 as a ten-byte varint (sign-extended, as Go converts to uint64)', () => {
    assert.equal(encodeJson(`${CORE}.ContainerPort`, { hostPort: -1 }), '0a00' + '10ffffffffffffffffff01' + '1800' + '2200' + '2a00');
  });

  it('writes fields in field-number order, not declaration order', () => {
    // DeploymentCondition declares lastUpdateTime (6) and lastTransitionTime (7) before
    // reason (4) and message (5); Time writes seconds and nanos (always 0 for Time).
    const bytes = encodeJson('k8s.io.api.apps.v1.DeploymentCondition', {
      type: 'Available',
      status: 'True',
      lastUpdateTime: '1970-01-01T00:00:01Z',
      reason: 'R',
      message: 'M',
    });
    const available = Buffer.from('Available').toString('hex');
    const trueHex = Buffer.from('True').toString('hex');
    // lastTransitionTime is a plain metav1.Time: its zero value is written, empty (3a 00).
    assert.equal(bytes, `0a09${available}1204${trueHex}` + '220152' + '2a014d' + '320408011000' + '3a00');
  });

  it('sorts map entries by key bytes and keeps an empty []byte value', () => {
    // Secret{Data: {"b": "", "a": "\x01"}}: entries a then b; an empty non-nil value is written (12 00).
    const bytes = encodeJson(`${CORE}.Secret`, { data: { b: '', a: 'AQ==' } });
    const meta = '0a10' + '0a00' + '1200' + '1a00' + '2200' + '2a00' + '3200' + '3800' + '4200';
    // metadata (ObjectMeta{}, 16 bytes), data a, data b, type "" (1a 00).
    assert.equal(bytes, meta + '1206' + '0a0161' + '120101' + '1205' + '0a0162' + '1200' + '1a00');
  });

  it('orders map keys as Go (UTF-8 bytes), not as JavaScript (UTF-16 units)', () => {
    // U+FF5E sorts before U+1F600 in UTF-8; in UTF-16 the surrogate 0xD83D comes first.
    const bytes = encodeJson(`${META}.ObjectMeta`, { labels: { '\u{1F600}': 'b', '\uFF5E': 'a' } });
    const labels = bytes.slice(bytes.indexOf('4200') + 4);
    assert.ok(labels.indexOf(Buffer.from('\uFF5E').toString('hex')) < labels.indexOf(Buffer.from('\u{1F600}').toString('hex')));
  });

  it('writes repeated scalars unpacked (proto2), one key per element', () => {
    // PodSecurityContext.supplementalGroups = 4, []int64.
    const bytes = encodeJson(`${CORE}.PodSecurityContext`, { supplementalGroups: [1, 2] });
    assert.equal(bytes, '2001' + '2002');
  });

  it('writes a zero Quantity as "0", as Quantity.Marshal writes String()', () => {
    // ResourceFieldSelector: containerName 1, resource 2, divisor 3 (plain resource.Quantity).
    assert.equal(encodeJson(`${CORE}.ResourceFieldSelector`, {}), '0a00' + '1200' + '1a030a0130');
  });

  it('writes MicroTime nanos truncated to microseconds', () => {
    // EventSeries: count 1, lastObservedTime 2 (MicroTime). 1970-01-01T00:00:01.000002Z.
    assert.equal(encodeJson(`${CORE}.EventSeries`, { count: 1, lastObservedTime: '1970-01-01T00:00:01.000002Z' }), '0801' + '12050801' + '10d00f');
  });
});
