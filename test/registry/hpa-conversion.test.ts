/**
 * autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler conversion: every
 * fixture converts to the other version and back with nothing lost, the converted
 * objects are valid Kubernetes JSON of their target message, and the upstream
 * mappings (CPU utilization, annotations) hold field by field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeKubeJson } from '../../src/machinery/schema/index.js';
import type { KubeObject } from '../../src/machinery/meta/object.js';
import {
  BEHAVIOR_SPECS_ANNOTATION,
  CONDITIONS_ANNOTATION,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  V2_FIELDS_ANNOTATION,
} from '../../src/registry/autoscaling/hpa-annotations.js';
import { hpaV1ToV2, hpaV2ToV1 } from '../../src/registry/autoscaling/hpa-conversion.js';
import { bodyOf, loadFixtureJson } from '../machinery/roundtrip-checks.js';

const V1 = 'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler';
const V2 = 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler';

function assertValid(typeName: string, obj: KubeObject): void {
  const { unknownFields } = normalizeKubeJson(typeName, bodyOf(obj));
  assert.deepEqual(unknownFields, [], `${typeName}: unknown fields`);
}

function frozen<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('HPA fixtures round-trip through every version', () => {
  it('autoscaling/v2 fixture -> v1 -> v2 is exact, and the input is untouched', () => {
    const v2 = loadFixtureJson('autoscaling.v2.HorizontalPodAutoscaler') as KubeObject;
    const before = frozen(v2);
    const v1 = hpaV2ToV1(v2);
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.kind, 'HorizontalPodAutoscaler');
    assertValid(V1, v1);
    const back = hpaV1ToV2(v1);
    assertValid(V2, back);
    assert.deepEqual(back, v2);
    assert.deepEqual(v2, before);
  });

  it('autoscaling/v1 fixture -> v2 -> v1 is exact, and the input is untouched', () => {
    const v1 = loadFixtureJson('autoscaling.v1.HorizontalPodAutoscaler') as KubeObject;
    const before = frozen(v1);
    const v2 = hpaV1ToV2(v1);
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assertValid(V2, v2);
    const back = hpaV2ToV1(v2);
    assertValid(V1, back);
    assert.deepEqual(back, v1);
    assert.deepEqual(v1, before);
  });

  it('the v1 fixture maps to v2 field by field', () => {
    const v2 = hpaV1ToV2(loadFixtureJson('autoscaling.v1.HorizontalPodAutoscaler') as KubeObject) as KubeObject & {
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
    };
    assert.deepEqual(v2.spec, {
      scaleTargetRef: { kind: 'kindValue', name: 'nameValue', apiVersion: 'apiVersionValue' },
      minReplicas: 2,
      maxReplicas: 3,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 4 } } }],
    });
    assert.deepEqual(v2.status, {
      observedGeneration: 1,
      lastScaleTime: '2002-01-01T01:01:01Z',
      currentReplicas: 3,
      desiredReplicas: 4,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 5 } } }],
    });
    assert.deepEqual(v2.metadata?.annotations, { annotationsKey: 'annotationsValue' });
  });

  it('the v2 fixture keeps what v1 cannot hold in upstream annotations, in upstream JSON forms', () => {
    const v1 = hpaV2ToV1(loadFixtureJson('autoscaling.v2.HorizontalPodAutoscaler') as KubeObject) as KubeObject & {
      spec: Record<string, unknown>;
    };
    const a = v1.metadata?.annotations ?? {};
    assert.equal(a.annotationsKey, 'annotationsValue');
    assert.equal(v1.spec.targetCPUUtilizationPercentage, undefined, 'the fixture has no cpu metric');
    const metrics = JSON.parse(a[METRIC_SPECS_ANNOTATION] ?? 'null') as Record<string, Record<string, unknown>>[];
    assert.equal(metrics.length, 1);
    assert.deepEqual(metrics[0]?.resource, { name: 'nameValue', targetAverageUtilization: 4, targetAverageValue: '0' });
    assert.deepEqual(metrics[0]?.external, {
      metricName: 'nameValue',
      metricSelector: { matchLabels: { matchLabelsKey: 'matchLabelsValue' }, matchExpressions: [{ key: 'keyValue', operator: 'operatorValue', values: ['valuesValue'] }] },
      targetValue: '0',
      targetAverageValue: '0',
    });
    for (const m of metrics) assertValid('k8s.io.api.autoscaling.v1.MetricSpec', m);
    const statuses = JSON.parse(a[METRIC_STATUSES_ANNOTATION] ?? 'null') as Record<string, unknown>[];
    assert.deepEqual((statuses[0] as Record<string, unknown>).resource, { name: 'nameValue', currentAverageUtilization: 3, currentAverageValue: '0' });
    for (const m of statuses) assertValid('k8s.io.api.autoscaling.v1.MetricStatus', m);
    assert.deepEqual(JSON.parse(a[CONDITIONS_ANNOTATION] ?? 'null'), [
      { type: 'typeValue', status: 'statusValue', lastTransitionTime: '2003-01-01T01:01:01Z', reason: 'reasonValue', message: 'messageValue', observedGeneration: 6 },
    ]);
    const rules = { StabilizationWindowSeconds: 3, SelectPolicy: 'selectPolicyValue', Policies: [{ Type: 'typeValue', Value: 2, PeriodSeconds: 3 }], Tolerance: '0' };
    assert.deepEqual(JSON.parse(a[BEHAVIOR_SPECS_ANNOTATION] ?? 'null'), { ScaleUp: rules, ScaleDown: rules });
    // Target types and utilizations v1's Object/Pods/External sources and statuses cannot name survive in the exact copy.
    assert.deepEqual(Object.keys(JSON.parse(a[V2_FIELDS_ANNOTATION] ?? '{}') as object), ['metrics', 'currentMetrics']);
  });
});

describe('HPA CPU utilization mapping', () => {
  const base = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' } };
  const ref = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' };

  it('v1 targetCPUUtilizationPercentage 80 <-> v2 Resource cpu Utilization 80, without annotations', () => {
    const v1 = { ...base, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 } };
    const v2 = hpaV1ToV2(v1);
    assert.deepEqual(v2, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    });
    assert.deepEqual(hpaV2ToV1(v2), v1);
  });

  it('a v1 object without a CPU target gets upstream implicit 80% target', () => {
    const v2 = hpaV1ToV2({ ...base, spec: { scaleTargetRef: ref, maxReplicas: 5 } }) as KubeObject & { spec: Record<string, unknown> };
    assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('a v2 memory metric goes to the metrics annotation and comes back; the annotation is removed', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } };
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
    const v2 = { ...base, apiVersion: 'autoscaling/v2', spec: { scaleTargetRef: ref, maxReplicas: 5, metrics: [memory, cpu] } };
    const v1 = hpaV2ToV1(v2) as KubeObject & { spec: Record<string, unknown> };
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
    assert.deepEqual(v1.metadata?.annotations, {
      [METRIC_SPECS_ANNOTATION]: '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}}]',
    });
    const back = hpaV1ToV2(v1);
    assert.equal(back.metadata?.annotations, undefined);
    assert.deepEqual(back, v2);
  });

  it('a CPU metric before others keeps its place through the exact copy; a v1 edit wins over the copy', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } };
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } };
    const v2 = { ...base, apiVersion: 'autoscaling/v2', spec: { scaleTargetRef: ref, maxReplicas: 5, metrics: [cpu, memory] } };
    const v1 = hpaV2ToV1(v2) as KubeObject & { spec: Record<string, unknown> };
    assert.ok(v1.metadata?.annotations?.[V2_FIELDS_ANNOTATION]);
    assert.deepEqual(hpaV1ToV2(v1), v2);
    const edited = { ...v1, spec: { ...v1.spec, targetCPUUtilizationPercentage: 70 } };
    const back = hpaV1ToV2(edited) as KubeObject & { spec: Record<string, unknown> };
    assert.deepEqual(back.spec.metrics, [memory, { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    assert.equal(back.metadata?.annotations, undefined);
  });

  it('v1 currentCPUUtilizationPercentage <-> v2 current metrics; other current metrics use the annotation', () => {
    const v1 = { ...base, spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 40 } };
    const v2 = hpaV1ToV2(v1) as KubeObject & { status: Record<string, unknown> };
    assert.deepEqual(v2.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }]);
    assert.deepEqual(hpaV2ToV1(v2), v1);
    const withValue = { ...v2, status: { ...v2.status, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '250m', averageUtilization: 40 } } }] } };
    const v1b = hpaV2ToV1(withValue) as KubeObject & { status: Record<string, unknown> };
    assert.equal(v1b.status.currentCPUUtilizationPercentage, 40);
    assert.equal(v1b.metadata?.annotations?.[METRIC_STATUSES_ANNOTATION], '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"250m"}}]');
    assert.deepEqual(hpaV1ToV2(v1b), withValue);
  });

  it('converting to v1 replaces stale round-trip annotations', () => {
    const v2 = {
      ...base,
      apiVersion: 'autoscaling/v2',
      metadata: { name: 'web', annotations: { [METRIC_SPECS_ANNOTATION]: '[]', [CONDITIONS_ANNOTATION]: '[]', keep: 'me' } },
      spec: { scaleTargetRef: ref, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
    };
    assert.deepEqual(hpaV2ToV1(v2).metadata, { name: 'web', annotations: { keep: 'me' } });
  });
});
