/**
 * Unit tests of the Kubernetes JSON codec: special types, inline fields,
 * omission rules, type errors and strict unknown-field detection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeProtobufObject,
  encodeProtobufObject,
  formatGoDuration,
  kubeJsonToMessage,
  messageToKubeJson,
  normalizeKubeJson,
  parseGoDuration,
  SchemaDecodeError,
  UnknownMessageError,
} from '../../src/machinery/schema/index.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const CORE = 'k8s.io.api.core.v1';
const DEPLOYMENT = 'k8s.io.api.apps.v1.Deployment';

describe('meta/v1 Time and MicroTime', () => {
  it('decodes RFC 3339 into seconds/nanos and writes whole seconds in UTC', () => {
    const { message } = kubeJsonToMessage(`${META}.ObjectMeta`, { creationTimestamp: '2008-01-01T02:01:01.5+01:00' });
    assert.deepEqual(message.creationTimestamp, { seconds: 1199149261, nanos: 500000000 });
    assert.deepEqual(messageToKubeJson(`${META}.ObjectMeta`, message), { creationTimestamp: '2008-01-01T01:01:01Z' });
  });

  it('writes MicroTime with six fraction digits', () => {
    // reportingComponent/reportingInstance have no omitempty in Go: always written.
    const json = { eventTime: '2010-01-01T01:01:01.000010Z', reportingComponent: '', reportingInstance: '' };
    const { object } = normalizeKubeJson(`${CORE}.Event`, json);
    assert.deepEqual(object, json);
    const { message } = kubeJsonToMessage(`${CORE}.Event`, json);
    assert.deepEqual(message.eventTime, { seconds: 1262307661, nanos: 10000 });
  });

  it('omits a zero Time (unset seconds or Go zero time) but keeps the epoch', () => {
    assert.deepEqual(messageToKubeJson(`${META}.ObjectMeta`, { creationTimestamp: {} }), {});
    assert.deepEqual(messageToKubeJson(`${META}.ObjectMeta`, { creationTimestamp: { seconds: -62135596800, nanos: 0 } }), {});
    assert.deepEqual(messageToKubeJson(`${META}.ObjectMeta`, { creationTimestamp: { seconds: 0, nanos: 0 } }), {
      creationTimestamp: '1970-01-01T00:00:00Z',
    });
  });

  it('rejects a non-time string and a number', () => {
    assert.throws(() => kubeJsonToMessage(`${META}.ObjectMeta`, { creationTimestamp: 'yesterday' }), SchemaDecodeError);
    assert.throws(() => kubeJsonToMessage(`${META}.ObjectMeta`, { creationTimestamp: 5 }), {
      message: 'json: cannot unmarshal number into Go struct field ObjectMeta.creationTimestamp of type string',
    });
  });
});

describe('meta/v1 Duration (Go duration strings)', () => {
  it('formats like Go', () => {
    assert.equal(formatGoDuration(0), '0s');
    assert.equal(formatGoDuration(100), '100ns');
    assert.equal(formatGoDuration(1500), '1.5µs');
    assert.equal(formatGoDuration(2_000_000), '2ms');
    assert.equal(formatGoDuration(1_500_000_000), '1.5s');
    assert.equal(formatGoDuration(60e9), '1m0s');
    assert.equal(formatGoDuration(5400e9), '1h30m0s');
    assert.equal(formatGoDuration(-3723e9), '-1h2m3s');
  });

  it('parses Go syntax and rejects garbage', () => {
    assert.equal(parseGoDuration('1h30m'), 5400e9);
    assert.equal(parseGoDuration('1.5s'), 1.5e9);
    assert.equal(parseGoDuration('-2ms'), -2e6);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('10'), undefined);
    assert.equal(parseGoDuration('abc'), undefined);
  });

  it('round-trips through the Duration message', () => {
    const { message } = kubeJsonToMessage(`${META}.Duration`, '90s');
    assert.deepEqual(message, { duration: 90e9 });
    assert.equal(messageToKubeJson(`${META}.Duration`, message), '1m30s');
  });
});

describe('IntOrString, Quantity, bytes, RawExtension, FieldsV1, Verbs', () => {
  it('keeps IntOrString as a number or a string', () => {
    const asInt = kubeJsonToMessage(`${CORE}.ServicePort`, { port: 80, targetPort: 8080 }).message;
    assert.deepEqual(asInt.targetPort, { type: 0, intVal: 8080, strVal: '' });
    const asStr = kubeJsonToMessage(`${CORE}.ServicePort`, { port: 80, targetPort: 'http' }).message;
    assert.deepEqual(asStr.targetPort, { type: 1, intVal: 0, strVal: 'http' });
    assert.deepEqual(messageToKubeJson(`${CORE}.ServicePort`, asInt), { port: 80, targetPort: 8080 });
    assert.deepEqual(messageToKubeJson(`${CORE}.ServicePort`, asStr), { port: 80, targetPort: 'http' });
    assert.throws(() => kubeJsonToMessage(`${CORE}.ServicePort`, { targetPort: true }), {
      message: 'json: cannot unmarshal bool into Go struct field ServicePort.targetPort of type intstr.IntOrString',
    });
  });

  it('writes Quantity as a string (numbers accepted on input)', () => {
    const { object } = normalizeKubeJson(`${CORE}.ResourceRequirements`, { limits: { memory: '1Gi', cpu: 2 } });
    assert.deepEqual(object, { limits: { cpu: '2', memory: '1Gi' } });
  });

  it('base64-encodes bytes and rejects invalid base64', () => {
    const { message } = kubeJsonToMessage(`${CORE}.Secret`, { data: { key: 'aGVsbG8=' } });
    assert.equal(Buffer.from((message.data as Record<string, Uint8Array>).key!).toString(), 'hello');
    assert.deepEqual(messageToKubeJson(`${CORE}.Secret`, message), { data: { key: 'aGVsbG8=' } });
    assert.throws(() => kubeJsonToMessage(`${CORE}.Secret`, { data: { key: 'not base64!' } }), {
      message: 'illegal base64 data at input byte 3',
    });
  });

  it('embeds RawExtension and FieldsV1 as JSON', () => {
    const event = { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } };
    const { message } = kubeJsonToMessage(`${META}.WatchEvent`, event);
    assert.equal(Buffer.from((message.object as { raw: Uint8Array }).raw).toString(), JSON.stringify(event.object));
    assert.deepEqual(messageToKubeJson(`${META}.WatchEvent`, message), event);
    const managed = { managedFields: [{ manager: 'kubectl', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] };
    assert.deepEqual(normalizeKubeJson(`${META}.ObjectMeta`, managed).object, managed);
  });

  it('writes Verbs as a plain array', () => {
    const json = { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] };
    const { message } = kubeJsonToMessage(`${META}.APIResource`, json);
    assert.deepEqual(message.verbs, { items: ['get', 'list'] });
    assert.deepEqual(messageToKubeJson(`${META}.APIResource`, message), json);
  });
});

describe('inline fields and omission rules', () => {
  it('flattens inline members into the parent object both ways', () => {
    const json = { name: 'data', hostPath: { path: '/tmp', type: 'Directory' } };
    const { message } = kubeJsonToMessage(`${CORE}.Volume`, json);
    assert.deepEqual((message.volumeSource as Record<string, unknown>).hostPath, { path: '/tmp', type: 'Directory' });
    assert.equal('hostPath' in message, false);
    assert.deepEqual(messageToKubeJson(`${CORE}.Volume`, message), json);
  });

  it('omits unset fields, zero omitempty scalars and empty lists and maps; null means unset', () => {
    const meta = { name: '', namespace: 'default', labels: {}, finalizers: [], annotations: null, generation: 0 };
    assert.deepEqual(normalizeKubeJson(`${META}.ObjectMeta`, meta).object, { namespace: 'default' });
  });

  it('sorts map keys as Go does', () => {
    const { object } = normalizeKubeJson(`${META}.ObjectMeta`, { labels: { b: '2', a: '1' } });
    assert.deepEqual(Object.keys(object.labels as object), ['a', 'b']);
  });

  it('produces messages that ts-proto can encode (lists and maps initialised)', () => {
    const { message } = kubeJsonToMessage(DEPLOYMENT, { spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
    const back = decodeProtobufObject(DEPLOYMENT, encodeProtobufObject(DEPLOYMENT, message));
    assert.deepEqual(messageToKubeJson(DEPLOYMENT, back), { spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
  });

  it('encodes hand-built messages that omit lists and maps', () => {
    const status = { status: 'Failure', code: 404, details: { name: 'x', causes: [{ reason: 'FieldValueInvalid' }] } };
    const back = decodeProtobufObject(`${META}.Status`, encodeProtobufObject(`${META}.Status`, status));
    assert.deepEqual(messageToKubeJson(`${META}.Status`, back), status);
  });
});

describe('type errors (Go encoding/json wording)', () => {
  it('names the struct, the JSON path and the Go type', () => {
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, { spec: { replicas: 'three' } }), {
      name: 'SchemaDecodeError',
      message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    });
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, { spec: { template: { spec: { containers: {} } } } }), {
      message: 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    });
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, { metadata: { labels: { a: 1 } } }), {
      message: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    });
  });

  it('reports out-of-range and fractional numbers with their value', () => {
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, { spec: { replicas: 3000000000 } }), {
      message: 'json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32',
    });
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, { spec: { replicas: 1.5 } }), {
      message: 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    });
  });

  it('rejects a non-object document and unknown message names', () => {
    assert.throws(() => kubeJsonToMessage(DEPLOYMENT, []), {
      message: 'json: cannot unmarshal array into Go value of type v1.Deployment',
    });
    assert.throws(() => kubeJsonToMessage('k8s.io.api.core.v1.NoSuchKind', {}), UnknownMessageError);
  });

  it('prefixes paths with options.path', () => {
    assert.throws(() => kubeJsonToMessage(`${CORE}.PodSpec`, { hostNetwork: 'yes' }, { path: 'spec.template.spec' }), {
      message: 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool',
    });
  });
});

describe('strict unknown-field detection', () => {
  it('lists unknown paths with list indices and drops them from the result', () => {
    const json = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', colour: 'blue' },
      spec: {
        foo: 1,
        template: { spec: { containers: [{ name: 'a' }, { name: 'b', imagePullPolice: 'Always' }] } },
      },
    };
    const { object, unknownFields } = normalizeKubeJson(DEPLOYMENT, json);
    assert.deepEqual(unknownFields, ['metadata.colour', 'spec.foo', 'spec.template.spec.containers[1].imagePullPolice']);
    assert.deepEqual(object, {
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } },
    });
  });

  it('matches field names case-sensitively and sees inline members as known', () => {
    const { unknownFields } = normalizeKubeJson(`${CORE}.Volume`, { name: 'v', HostPath: {}, emptyDir: {} });
    assert.deepEqual(unknownFields, ['HostPath']);
  });

  it('reports apiVersion/kind as unknown below the top level', () => {
    const { unknownFields } = normalizeKubeJson(DEPLOYMENT, { spec: { kind: 'x' } });
    assert.deepEqual(unknownFields, ['spec.kind']);
  });

  it('prefixes unknown paths with options.path', () => {
    const { unknownFields } = kubeJsonToMessage(`${CORE}.PodSpec`, { bogus: true }, { path: 'spec' });
    assert.deepEqual(unknownFields, ['spec.bogus']);
  });
});
