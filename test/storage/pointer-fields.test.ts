/**
 * Go pointer fields of the newer kinds (autoscaling/v1 and v2 HorizontalPodAutoscaler,
 * batch/v1beta1 and batch/v2alpha1 CronJob, apps/v1 ReplicaSet) are `nullable` in the
 * schema, so the protobuf storage codec writes them only when set, as gogo does. A sparse
 * object stored and read back is therefore what went in, plus only the plain (non-pointer)
 * Go structs and non-omitempty scalars that upstream's Marshal always writes and its JSON
 * always shows. Before these fields were marked, an HPA's MetricSpec read back with empty
 * `object`, `pods`, `containerResource` and `external` sources.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScheme } from '../../src/machinery/runtime/scheme.js';
import { encodeWireMessage, kubeJsonToMessage } from '../../src/machinery/schema/index.js';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedViews } from '../../src/registry/rest/served.js';
import { protobufTypeLookup } from '../../src/server/storage-types.js';
import { PROTOBUF_MEDIA_TYPE, storageCodec } from '../../src/storage/index.js';

const scheme = createScheme();
scheme.register(builtinDefinitions.flatMap(servedViews).map((v) => v.schema));
const codec = storageCodec({ mediaType: PROTOBUF_MEDIA_TYPE, protobufType: protobufTypeLookup(scheme) });

/** Stores `object` as protobuf and reads it back. */
const roundTrip = (object: Record<string, unknown>): unknown => codec.decode(codec.encode(object));

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
/** A non-negative integer as protobuf varint hex. */
function varint(n: number): string {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return Buffer.from(out).toString('hex');
}
const encodeJson = (typeName: string, json: unknown): string =>
  hex(encodeWireMessage(typeName, kubeJsonToMessage(typeName, json).message));

const metadata = { name: 'web', namespace: 'ns' };
const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const TIME = '2024-01-02T03:04:05Z';

describe('sparse objects survive protobuf storage with only upstream\'s always-present fields added', () => {
  it('autoscaling/v2 HorizontalPodAutoscaler with one Resource metric', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: {
        scaleTargetRef,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    };
    // Added: `status`, a plain HorizontalPodAutoscalerStatus (always marshalled), in which
    // desiredReplicas is a plain int32 tagged `json:"desiredReplicas"` (no omitempty), so it
    // shows as 0. currentReplicas is plain but omitempty (0 is dropped); observedGeneration
    // and lastScaleTime are pointers (absent). currentMetrics is `json:"currentMetrics"`
    // without omitempty, but an empty slice is not written to protobuf and this JSON encoder
    // drops empty lists (Go would print `null`). Nothing else: minReplicas and behavior are
    // pointers, and of MetricSpec only `resource` is set; MetricTarget.value/averageValue
    // (*resource.Quantity) stay absent.
    assert.deepEqual(roundTrip(hpa), { ...hpa, status: { desiredReplicas: 0 } });
  });

  it('autoscaling/v2: set pointers survive, an empty one included', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: { scaleTargetRef, maxReplicas: 3, behavior: { scaleUp: {} } },
      status: {
        lastScaleTime: TIME,
        desiredReplicas: 2,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 0 } } }],
      },
    };
    // behavior and behavior.scaleUp are pointers that are set (to an empty HPAScalingRules, whose
    // fields are all pointers or slices): written, read back as `{}`; scaleDown is nil. A set
    // *int32 zero (averageUtilization: 0) is kept.
    assert.deepEqual(roundTrip(hpa), hpa);
  });

  it('autoscaling/v1 HorizontalPodAutoscaler', () => {
    const hpa = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: { scaleTargetRef, maxReplicas: 5 },
    };
    // Added: `status` (plain struct) with currentReplicas and desiredReplicas, both plain int32
    // without omitempty in v1. minReplicas, targetCPUUtilizationPercentage, observedGeneration,
    // lastScaleTime and currentCPUUtilizationPercentage are pointers: absent.
    assert.deepEqual(roundTrip(hpa), { ...hpa, status: { currentReplicas: 0, desiredReplicas: 0 } });
    const scaled = { ...hpa, status: { lastScaleTime: TIME, currentReplicas: 1, desiredReplicas: 2 } };
    assert.deepEqual(roundTrip(scaled), scaled);
  });

  for (const version of ['v1beta1', 'v2alpha1']) {
    it(`batch/${version} CronJob with only schedule and jobTemplate`, () => {
      const cronJob = {
        apiVersion: `batch/${version}`,
        kind: 'CronJob',
        metadata,
        spec: { schedule: '*/5 * * * *', jobTemplate: {} },
      };
      // Added: plain structs all the way down the job template — JobTemplateSpec.ObjectMeta
      // (`metadata: {}`), JobSpec.Template (a plain PodTemplateSpec: `metadata: {}`, `spec: {}`,
      // its PodSpec holding no set field) — and `status`, a plain CronJobStatus whose
      // lastScheduleTime (and v1beta1's lastSuccessfulTime) are *metav1.Time: absent. All of
      // CronJobSpec's optional scalars (timeZone, startingDeadlineSeconds, suspend, the history
      // limits) are pointers; concurrencyPolicy is a plain omitempty string ("" dropped).
      assert.deepEqual(roundTrip(cronJob), {
        ...cronJob,
        spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: {}, spec: { template: { metadata: {}, spec: {} } } } },
        status: {},
      });
      const scheduled = { ...cronJob, spec: { ...cronJob.spec, suspend: false }, status: { lastScheduleTime: TIME } };
      const back = roundTrip(scheduled) as { spec: Record<string, unknown>; status: unknown };
      assert.equal(back.spec.suspend, false);
      assert.deepEqual(back.status, { lastScheduleTime: TIME });
    });
  }

  it('apps/v1 ReplicaSet', () => {
    const replicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata,
      spec: { selector: { matchLabels: { app: 'web' } } },
    };
    // Added: spec.template, a plain PodTemplateSpec (`metadata: {}`, `spec: {}`), and `status`
    // with replicas, a plain int32 tagged `json:"replicas"`. replicas, selector and
    // status.terminatingReplicas are pointers; minReadySeconds and the other status counters
    // are omitempty plain values (0 dropped).
    const template = { metadata: {}, spec: {} };
    assert.deepEqual(roundTrip(replicaSet), { ...replicaSet, spec: { ...replicaSet.spec, template }, status: { replicas: 0 } });
    // Without a selector there is none after the round trip (not an empty LabelSelector), and a
    // set *int32 zero is kept.
    const noSelector = { ...replicaSet, spec: { replicas: 0 } };
    assert.deepEqual(roundTrip(noSelector), { ...replicaSet, spec: { replicas: 0, template }, status: { replicas: 0 } });
  });
});

describe('pointer fields on the wire, derived by hand from upstream\'s generated Marshal', () => {
  const V2 = 'k8s.io.api.autoscaling.v2';

  it('autoscaling/v2 MetricTarget{Type: "Utilization", AverageUtilization: ptr(80)}', () => {
    // Type is a plain string: always written, field 1 length-delimited: key 0a, length 0b (11),
    // then "Utilization". Value (2) and AverageValue (3) are *resource.Quantity and nil: absent
    // (had they been plain Quantities, gogo would write 12 03 0a 01 30, the zero Quantity "0").
    // AverageUtilization is *int32 and set: field 4 varint, key 20, value 50 (80).
    const bytes = encodeJson(`${V2}.MetricTarget`, { type: 'Utilization', averageUtilization: 80 });
    assert.equal(bytes, '0a0b' + utf8('Utilization') + '2050');
    assert.equal(bytes, '0a0b5574696c697a6174696f6e2050');
  });

  it('autoscaling/v2 MetricSpec with only a Resource source', () => {
    // MetricTarget as above: 15 bytes. ResourceMetricSource{Name: "cpu", Target}: both plain,
    // 0a 03 "cpu", then 12 0f and the target: 5 + 2 + 15 = 22 (0x16) bytes. MetricSpec: Type
    // (plain) 0a 08 "Resource"; Object (2), Pods (3), External (5), ContainerResource (7) are nil
    // pointers: absent; Resource (4) is set: key 22, length 16, the source.
    const target = '0a0b' + utf8('Utilization') + '2050';
    const source = '0a03' + utf8('cpu') + '120f' + target;
    const spec = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
    assert.equal(encodeJson(`${V2}.MetricSpec`, spec), '0a08' + utf8('Resource') + '2216' + source);
  });

  it('nil *metav1.Time fields are absent, where a plain zero Time would be an empty record', () => {
    // A plain metav1.Time's Marshal writes nothing for the zero time, but gogo still writes its
    // key and length 0 (e.g. 12 00), so marking the pointers matters for the bytes even where the
    // JSON read back is the same.
    // CronJobStatus{}: Active is empty, LastScheduleTime (4) and LastSuccessfulTime (5) are nil.
    assert.equal(encodeJson('k8s.io.api.batch.v1beta1.CronJobStatus', {}), '');
    assert.equal(encodeJson('k8s.io.api.batch.v2alpha1.CronJobStatus', {}), '');
    // autoscaling/v1 HorizontalPodAutoscalerStatus{}: ObservedGeneration (1), LastScaleTime (2) and
    // CurrentCPUUtilizationPercentage (5) are nil; CurrentReplicas (3) and DesiredReplicas (4) are
    // plain int32: 18 00, 20 00.
    assert.equal(encodeJson('k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus', {}), '1800' + '2000');
    // autoscaling/v2: the same, and CurrentMetrics (5) and Conditions (6) are empty slices.
    assert.equal(encodeJson(`${V2}.HorizontalPodAutoscalerStatus`, {}), '1800' + '2000');
    // Set, lastScaleTime is a Timestamp: 12 08, then seconds (08 + varint) and nanos 0 (10 00).
    const seconds = Date.parse(TIME) / 1000;
    assert.equal(encodeJson(`${V2}.HorizontalPodAutoscalerStatus`, { lastScaleTime: TIME }), '1208' + '08' + varint(seconds) + '1000' + '1800' + '2000');
  });
});
