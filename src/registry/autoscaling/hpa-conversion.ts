/**
 * HorizontalPodAutoscaler conversion between autoscaling/v2 (the hub and storage
 * version) and autoscaling/v1, over Kubernetes JSON. Pure: the input is never
 * mutated; the result is a new object whose apiVersion and kind name the target.
 *
 * As upstream (pkg/apis/autoscaling/v1/conversion.go): v1's
 * `targetCPUUtilizationPercentage` is v2's Resource `cpu` metric with a
 * Utilization target, and `currentCPUUtilizationPercentage` its current
 * utilization; the other metrics, the current metrics, the behavior and the
 * conditions travel in upstream's annotations (see hpa-annotations.ts), which
 * converting to v1 rewrites and converting to v2 removes. A v1 object with
 * neither a CPU target nor other metrics gets upstream's implicit 80% CPU target.
 *
 * Where upstream loses information, Wheelhouse does not:
 *   - the current-metrics annotation is left out when the CPU percentage alone
 *     converts back to exactly the same current metrics (upstream always writes it);
 *   - any field whose upstream v1 form does not convert back to itself is also
 *     kept verbatim in `wheelhouse.dev/autoscaling-v2-fields`, used on the way
 *     back only while the v1 object still shows what that copy converts to.
 * So v2 -> v1 -> v2 gives back the v2 object exactly, and v1 -> v2 -> v1 gives
 * back the v1 object (apart from the implicit CPU target, which is a default).
 */
import { annotationOf, withAnnotations, withoutAnnotations } from '../../machinery/meta/annotations.js';
import { cloneObject, jsonEqual, type KubeObject } from '../../machinery/meta/object.js';
import {
  BEHAVIOR_SPECS_ANNOTATION,
  CONDITIONS_ANNOTATION,
  DEFAULT_CPU_UTILIZATION,
  METRIC_SPECS_ANNOTATION,
  METRIC_STATUSES_ANNOTATION,
  ROUND_TRIP_ANNOTATIONS,
  V2_FIELDS_ANNOTATION,
} from './hpa-annotations.js';
import {
  behaviorFromGo,
  behaviorToGo,
  conditionFromV1,
  conditionToV1,
  metricSpecFromV1,
  metricSpecToV1,
  metricStatusFromV1,
  metricStatusToV1,
  type Json,
} from './hpa-v1-forms.js';

/** What one v2 field looks like on a v1 object: a v1 field and/or an annotation. */
interface V1View {
  field?: number;
  annotation?: string;
}

/** A v2 field that v1 shows through a view, and how to go each way. */
interface FieldMapping {
  /** Key in the exact-copy annotation. */
  readonly name: 'metrics' | 'currentMetrics' | 'behavior' | 'conditions';
  /** `spec` or `status`. */
  readonly parent: 'spec' | 'status';
  /** The v1 field that carries part of it, if any. */
  readonly v1Field?: string;
  /** The upstream annotation that carries (the rest of) it. */
  readonly annotation: string;
  toV1(value: unknown): V1View;
  fromV1(view: V1View): unknown;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function parse(annotation: string | undefined): unknown {
  if (annotation === undefined) return undefined;
  try {
    return JSON.parse(annotation) as unknown;
  } catch {
    return undefined; // upstream ignores an annotation it cannot decode
  }
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function isCpuResource(metric: Json): Json | undefined {
  if (metric.type !== 'Resource') return undefined;
  const resource = metric.resource as Json | undefined;
  return resource && resource.name === 'cpu' ? resource : undefined;
}

function cpuUtilizationMetric(field: string, percentage: number): Json {
  return { type: 'Resource', resource: { name: 'cpu', [field]: { ...(field === 'target' ? { type: 'Utilization' } : {}), averageUtilization: percentage } } };
}

const METRICS: FieldMapping = {
  name: 'metrics',
  parent: 'spec',
  v1Field: 'targetCPUUtilizationPercentage',
  annotation: METRIC_SPECS_ANNOTATION,
  toV1(value) {
    const metrics = list(value);
    const view: V1View = {};
    // The first CPU resource metric decides the percentage (if it is a utilization).
    const cpu = metrics.map(isCpuResource).find((r) => r !== undefined);
    const percentage = asNumber((cpu?.target as Json | undefined)?.averageUtilization);
    if (percentage !== undefined) view.field = percentage;
    const others = metrics.filter((m) => (isCpuResource(m)?.target as Json | undefined)?.averageUtilization == null);
    if (others.length > 0) view.annotation = JSON.stringify(others.map(metricSpecToV1));
    return view;
  },
  fromV1(view) {
    const metrics = list(parse(view.annotation)).map(metricSpecFromV1);
    if (view.field !== undefined) metrics.push(cpuUtilizationMetric('target', view.field));
    if (metrics.length === 0) metrics.push(cpuUtilizationMetric('target', DEFAULT_CPU_UTILIZATION));
    return metrics;
  },
};

function currentMetricsFromPercentage(percentage: number | undefined): Json[] | undefined {
  return percentage === undefined ? undefined : [cpuUtilizationMetric('current', percentage)];
}

const CURRENT_METRICS: FieldMapping = {
  name: 'currentMetrics',
  parent: 'status',
  v1Field: 'currentCPUUtilizationPercentage',
  annotation: METRIC_STATUSES_ANNOTATION,
  toV1(value) {
    const metrics = list(value);
    const view: V1View = {};
    // Upstream's loop has no break: the last CPU utilization wins.
    for (const m of metrics) {
      const percentage = asNumber((isCpuResource(m)?.current as Json | undefined)?.averageUtilization);
      if (percentage !== undefined) view.field = percentage;
    }
    if (metrics.length > 0 && !jsonEqual(currentMetricsFromPercentage(view.field), metrics)) {
      view.annotation = JSON.stringify(metrics.map(metricStatusToV1));
    }
    return view;
  },
  fromV1(view) {
    const saved = parse(view.annotation);
    // "ignore any existing status values -- the ones here have more information"
    if (Array.isArray(saved)) return (saved as Json[]).map(metricStatusFromV1);
    return currentMetricsFromPercentage(view.field);
  },
};

const BEHAVIOR: FieldMapping = {
  name: 'behavior',
  parent: 'spec',
  annotation: BEHAVIOR_SPECS_ANNOTATION,
  toV1(value) {
    return value == null ? {} : { annotation: JSON.stringify(behaviorToGo(value as Json)) };
  },
  fromV1(view) {
    return behaviorFromGo(parse(view.annotation));
  },
};

const CONDITIONS: FieldMapping = {
  name: 'conditions',
  parent: 'status',
  annotation: CONDITIONS_ANNOTATION,
  toV1(value) {
    const conditions = list(value);
    return conditions.length === 0 ? {} : { annotation: JSON.stringify(conditions.map(conditionToV1)) };
  },
  fromV1(view) {
    const saved = parse(view.annotation);
    return Array.isArray(saved) ? (saved as Json[]).map(conditionFromV1) : undefined;
  },
};

const MAPPINGS: readonly FieldMapping[] = [METRICS, CURRENT_METRICS, BEHAVIOR, CONDITIONS];

function pick(source: Json | undefined, keys: readonly string[]): Json {
  const out: Json = {};
  for (const key of keys) if (source && source[key] !== undefined) out[key] = cloneObject(source[key]);
  return out;
}

const SHARED_SPEC = ['scaleTargetRef', 'minReplicas', 'maxReplicas'] as const;
const SHARED_STATUS = ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas'] as const;

function setOrDelete(target: Json, key: string, value: unknown): void {
  if (value === undefined || value === null) delete target[key];
  else target[key] = value;
}

function viewsEqual(a: V1View, b: V1View): boolean {
  return a.field === b.field && a.annotation === b.annotation;
}

/** autoscaling/v2 HorizontalPodAutoscaler -> autoscaling/v1. */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const source = obj as KubeObject & { spec?: Json; status?: Json };
  const { apiVersion: _apiVersion, kind: _kind, spec, status, ...rest } = withoutAnnotations(source, ROUND_TRIP_ANNOTATIONS);
  const out: KubeObject & { spec?: Json; status?: Json } = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', ...rest };
  if (spec !== undefined) out.spec = pick(spec, SHARED_SPEC);
  if (status !== undefined) out.status = pick(status, SHARED_STATUS);

  const annotations: Record<string, string | undefined> = {};
  const exact: Json = {};
  for (const m of MAPPINGS) {
    const parent = m.parent === 'spec' ? spec : status;
    const value = parent?.[m.name];
    const view = m.toV1(value);
    const target = m.parent === 'spec' ? out.spec : out.status;
    if (m.v1Field && target && view.field !== undefined) target[m.v1Field] = view.field;
    annotations[m.annotation] = view.annotation;
    if (parent !== undefined && !jsonEqual(m.fromV1(view) ?? null, value ?? null)) exact[m.name] = value ?? null;
  }
  if (Object.keys(exact).length > 0) annotations[V2_FIELDS_ANNOTATION] = JSON.stringify(exact);
  return withAnnotations(out, annotations);
}

/** autoscaling/v1 HorizontalPodAutoscaler -> autoscaling/v2. */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const source = obj as KubeObject & { spec?: Json; status?: Json };
  const exact = parse(annotationOf(source, V2_FIELDS_ANNOTATION));
  const saved: Json = typeof exact === 'object' && exact !== null && !Array.isArray(exact) ? (exact as Json) : {};
  const { apiVersion: _apiVersion, kind: _kind, spec, status, ...rest } = withoutAnnotations(source, ROUND_TRIP_ANNOTATIONS);
  const out: KubeObject & { spec?: Json; status?: Json } = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', ...rest };
  if (spec !== undefined) out.spec = pick(spec, SHARED_SPEC);
  if (status !== undefined) out.status = pick(status, SHARED_STATUS);

  for (const m of MAPPINGS) {
    const v1Parent = m.parent === 'spec' ? spec : status;
    const target = m.parent === 'spec' ? out.spec : out.status;
    if (v1Parent === undefined || target === undefined) continue;
    const view: V1View = { annotation: annotationOf(source, m.annotation) };
    const field = m.v1Field ? asNumber(v1Parent[m.v1Field]) : undefined;
    if (field !== undefined) view.field = field;
    let value = m.fromV1(view);
    if (m.name in saved && viewsEqual(m.toV1(saved[m.name]), view)) value = cloneObject(saved[m.name]);
    setOrDelete(target, m.name, value);
  }
  return out;
}
