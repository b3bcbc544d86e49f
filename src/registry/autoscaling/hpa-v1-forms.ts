/**
 * autoscaling/v2 metric specs, metric statuses, conditions and behavior in the
 * JSON forms upstream's autoscaling/v1 round-trip annotations hold, and back.
 * The v1 forms follow Go's encoding/json over upstream's types: fields without
 * omitempty are always written (a non-pointer Quantity as "0", a zero Time as
 * null); the behavior uses the internal type's Go field names. Reading back
 * follows upstream's v1 -> internal conversion (target types derived from which
 * values are set). All functions are pure.
 */

/** A Kubernetes JSON object. */
export type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** `out[key] = value` when value is set (Go omitempty on a pointer). */
function put(out: Json, key: string, value: unknown): void {
  if (isSet(value)) out[key] = value;
}

/** A v1 CrossVersionObjectReference (kind and name always written). */
function reference(ref: unknown): Json {
  const r = obj(ref);
  const out: Json = { kind: r.kind ?? '', name: r.name ?? '' };
  if (typeof r.apiVersion === 'string' && r.apiVersion !== '') out.apiVersion = r.apiVersion;
  return out;
}

/** A v2 MetricIdentifier from a v1 name and selector. */
function identifier(name: unknown, selector: unknown): Json {
  const out: Json = { name: name ?? '' };
  put(out, 'selector', selector);
  return out;
}

/** v2 MetricSpec -> autoscaling/v1 MetricSpec JSON. */
export function metricSpecToV1(metric: Json): Json {
  const out: Json = { type: metric.type ?? '' };
  if (isSet(metric.object)) {
    const o = obj(metric.object);
    const target = obj(o.target);
    const m = obj(o.metric);
    const v: Json = { target: reference(o.describedObject), metricName: m.name ?? '', targetValue: target.value ?? '0' };
    put(v, 'selector', m.selector);
    put(v, 'averageValue', target.averageValue);
    out.object = v;
  }
  if (isSet(metric.pods)) {
    const p = obj(metric.pods);
    const m = obj(p.metric);
    const v: Json = { metricName: m.name ?? '', targetAverageValue: obj(p.target).averageValue ?? '0' };
    put(v, 'selector', m.selector);
    out.pods = v;
  }
  for (const key of ['resource', 'containerResource'] as const) {
    if (!isSet(metric[key])) continue;
    const r = obj(metric[key]);
    const target = obj(r.target);
    const v: Json = { name: r.name ?? '' };
    put(v, 'targetAverageUtilization', target.averageUtilization);
    put(v, 'targetAverageValue', target.averageValue);
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (isSet(metric.external)) {
    const e = obj(metric.external);
    const target = obj(e.target);
    const m = obj(e.metric);
    const v: Json = { metricName: m.name ?? '' };
    put(v, 'metricSelector', m.selector);
    put(v, 'targetValue', target.value);
    put(v, 'targetAverageValue', target.averageValue);
    out.external = v;
  }
  return out;
}

/** autoscaling/v1 MetricSpec JSON -> v2 MetricSpec. */
export function metricSpecFromV1(metric: Json): Json {
  const out: Json = { type: metric.type ?? '' };
  if (isSet(metric.object)) {
    const o = obj(metric.object);
    const target: Json = { type: isSet(o.averageValue) ? 'AverageValue' : 'Value', value: o.targetValue ?? '0' };
    put(target, 'averageValue', o.averageValue);
    out.object = { describedObject: reference(o.target), target, metric: identifier(o.metricName, o.selector) };
  }
  if (isSet(metric.pods)) {
    const p = obj(metric.pods);
    out.pods = {
      metric: identifier(p.metricName, p.selector),
      target: { type: 'AverageValue', averageValue: p.targetAverageValue ?? '0' },
    };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    if (!isSet(metric[key])) continue;
    const r = obj(metric[key]);
    const target: Json = { type: isSet(r.targetAverageUtilization) ? 'Utilization' : 'AverageValue' };
    put(target, 'averageValue', r.targetAverageValue);
    put(target, 'averageUtilization', r.targetAverageUtilization);
    const v: Json = { name: r.name ?? '', target };
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (isSet(metric.external)) {
    const e = obj(metric.external);
    const target: Json = { type: isSet(e.targetValue) ? 'Value' : 'AverageValue' };
    put(target, 'value', e.targetValue);
    put(target, 'averageValue', e.targetAverageValue);
    out.external = { metric: identifier(e.metricName, e.metricSelector), target };
  }
  return out;
}

/** v2 MetricStatus -> autoscaling/v1 MetricStatus JSON. */
export function metricStatusToV1(metric: Json): Json {
  const out: Json = { type: metric.type ?? '' };
  if (isSet(metric.object)) {
    const o = obj(metric.object);
    const current = obj(o.current);
    const m = obj(o.metric);
    const v: Json = { target: reference(o.describedObject), metricName: m.name ?? '', currentValue: current.value ?? '0' };
    put(v, 'selector', m.selector);
    put(v, 'averageValue', current.averageValue);
    out.object = v;
  }
  if (isSet(metric.pods)) {
    const p = obj(metric.pods);
    const m = obj(p.metric);
    const v: Json = { metricName: m.name ?? '', currentAverageValue: obj(p.current).averageValue ?? '0' };
    put(v, 'selector', m.selector);
    out.pods = v;
  }
  for (const key of ['resource', 'containerResource'] as const) {
    if (!isSet(metric[key])) continue;
    const r = obj(metric[key]);
    const current = obj(r.current);
    const v: Json = { name: r.name ?? '' };
    put(v, 'currentAverageUtilization', current.averageUtilization);
    v.currentAverageValue = current.averageValue ?? '0';
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (isSet(metric.external)) {
    const e = obj(metric.external);
    const current = obj(e.current);
    const m = obj(e.metric);
    const v: Json = { metricName: m.name ?? '' };
    put(v, 'metricSelector', m.selector);
    v.currentValue = current.value ?? '0';
    put(v, 'currentAverageValue', current.averageValue);
    out.external = v;
  }
  return out;
}

/** autoscaling/v1 MetricStatus JSON -> v2 MetricStatus. */
export function metricStatusFromV1(metric: Json): Json {
  const out: Json = { type: metric.type ?? '' };
  if (isSet(metric.object)) {
    const o = obj(metric.object);
    const current: Json = { value: o.currentValue ?? '0' };
    put(current, 'averageValue', o.averageValue);
    out.object = { metric: identifier(o.metricName, o.selector), current, describedObject: reference(o.target) };
  }
  if (isSet(metric.pods)) {
    const p = obj(metric.pods);
    out.pods = { metric: identifier(p.metricName, p.selector), current: { averageValue: p.currentAverageValue ?? '0' } };
  }
  for (const key of ['resource', 'containerResource'] as const) {
    if (!isSet(metric[key])) continue;
    const r = obj(metric[key]);
    const current: Json = { averageValue: r.currentAverageValue ?? '0' };
    put(current, 'averageUtilization', r.currentAverageUtilization);
    const v: Json = { name: r.name ?? '', current };
    if (key === 'containerResource') v.container = r.container ?? '';
    out[key] = v;
  }
  if (isSet(metric.external)) {
    const e = obj(metric.external);
    const current: Json = { value: e.currentValue ?? '0' };
    put(current, 'averageValue', e.currentAverageValue);
    out.external = { metric: identifier(e.metricName, e.metricSelector), current };
  }
  return out;
}

/** v2 HorizontalPodAutoscalerCondition -> autoscaling/v1 condition JSON (a zero Time is null). */
export function conditionToV1(condition: Json): Json {
  const out: Json = {
    type: condition.type ?? '',
    status: condition.status ?? '',
    lastTransitionTime: condition.lastTransitionTime ?? null,
  };
  put(out, 'reason', condition.reason);
  put(out, 'message', condition.message);
  put(out, 'observedGeneration', condition.observedGeneration);
  return out;
}

/** autoscaling/v1 condition JSON -> v2 HorizontalPodAutoscalerCondition. */
export function conditionFromV1(condition: Json): Json {
  const out: Json = { type: condition.type ?? '', status: condition.status ?? '' };
  put(out, 'lastTransitionTime', condition.lastTransitionTime);
  if (typeof condition.reason === 'string' && condition.reason !== '') out.reason = condition.reason;
  if (typeof condition.message === 'string' && condition.message !== '') out.message = condition.message;
  put(out, 'observedGeneration', condition.observedGeneration);
  return out;
}

function scalingRulesToGo(rules: unknown): Json | null {
  if (!isSet(rules)) return null;
  const r = obj(rules);
  const policies = Array.isArray(r.policies)
    ? r.policies.map((p) => {
        const q = obj(p);
        return { Type: q.type ?? '', Value: q.value ?? 0, PeriodSeconds: q.periodSeconds ?? 0 };
      })
    : null;
  return {
    StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
    SelectPolicy: r.selectPolicy ?? null,
    Policies: policies,
    Tolerance: r.tolerance ?? null,
  };
}

/** v2 HorizontalPodAutoscalerBehavior -> the Go-field-name JSON of upstream's behavior annotation. */
export function behaviorToGo(behavior: Json): Json {
  return { ScaleUp: scalingRulesToGo(behavior.scaleUp), ScaleDown: scalingRulesToGo(behavior.scaleDown) };
}

/** A member of a Go-marshalled object, matched case-insensitively as encoding/json does. */
function goField(value: Json, name: string): unknown {
  if (name in value) return value[name];
  const lower = name.toLowerCase();
  const key = Object.keys(value).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : value[key];
}

function scalingRulesFromGo(value: unknown): Json | undefined {
  if (!isSet(value) || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as Json;
  const out: Json = {};
  put(out, 'stabilizationWindowSeconds', goField(r, 'StabilizationWindowSeconds'));
  put(out, 'selectPolicy', goField(r, 'SelectPolicy'));
  const policies = goField(r, 'Policies');
  if (Array.isArray(policies)) {
    out.policies = policies.map((p) => {
      const q = obj(p);
      return { type: goField(q, 'Type') ?? '', value: goField(q, 'Value') ?? 0, periodSeconds: goField(q, 'PeriodSeconds') ?? 0 };
    });
  }
  put(out, 'tolerance', goField(r, 'Tolerance'));
  return out;
}

/**
 * The Go-field-name JSON of upstream's behavior annotation -> v2
 * HorizontalPodAutoscalerBehavior; undefined when it is not an object or holds
 * neither direction (upstream keeps only a non-zero behavior).
 */
export function behaviorFromGo(value: unknown): Json | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Json = {};
  put(out, 'scaleUp', scalingRulesFromGo(goField(value as Json, 'ScaleUp')));
  put(out, 'scaleDown', scalingRulesFromGo(goField(value as Json, 'ScaleDown')));
  return Object.keys(out).length === 0 ? undefined : out;
}
