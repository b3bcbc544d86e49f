/**
 * Helpers for the protobuf shapes of Kubernetes values: quantities, times, int-or-strings,
 * label selectors, owner references.
 */
import type { IntOrString } from '../../gen/k8s/io/apimachinery/pkg/util/intstr/generated.js';
import type { Quantity } from '../../gen/k8s/io/apimachinery/pkg/api/resource/generated.js';
import type { LabelSelector, MicroTime, ObjectMeta, OwnerReference, Time } from '../../gen/k8s/io/apimachinery/pkg/apis/meta/v1/generated.js';
import type { ResourceFacts } from './resource-client.js';

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A quantity's value in base units: `parseQuantity('100m')` is 0.1, `'1Gi'` is 1073741824. */
export function parseQuantity(text: string): number {
  const m = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text.trim());
  if (!m) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`);
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIXES[m[3] ?? ''] as number);
}

/** A Quantity message's value in base units (0 when absent). */
export function quantityOf(q: Quantity | undefined): number {
  return q?.string ? parseQuantity(q.string) : 0;
}

/** A Quantity message from text. */
export const quantity = (text: string): Quantity => ({ string: text });

/** A Time or MicroTime message as a Date. */
export function timeOf(t: Time | MicroTime | undefined): Date | undefined {
  if (t?.seconds === undefined) return undefined;
  return new Date(t.seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

/** A Date as a (second-precision) Time message. */
export function toTime(d: Date = new Date()): Time {
  return { seconds: Math.floor(d.getTime() / 1000), nanos: 0 };
}

/** A Date as a MicroTime message (microsecond precision, as Leases and events.k8s.io use). */
export function toMicroTime(d: Date = new Date()): MicroTime {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/**
 * An IntOrString against `total`: an int as is, a percent of total rounded up or down
 * (upstream's GetScaledValueFromIntOrPercent); absent is `fallback`.
 */
export function intOrStringValue(v: IntOrString | undefined, total: number, roundUp: boolean, fallback = 0): number {
  if (!v) return fallback;
  if (v.type === 1 || (v.type === undefined && v.strVal !== undefined)) {
    const m = /^(\d+)%$/.exec(v.strVal ?? '');
    if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
    const scaled = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return v.intVal ?? 0;
}

/** An IntOrString message: a number is an int, text a string. */
export const intOrString = (v: number | string): IntOrString => (typeof v === 'number' ? { type: 0, intVal: v } : { type: 1, strVal: v });

/**
 * Whether `labels` satisfy a LabelSelector message (matchLabels and matchExpressions ANDed).
 * An absent selector matches nothing, an empty one everything, as upstream's LabelSelectorAsSelector.
 */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key ?? '');
    const value = l[e.key ?? ''];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a map selector (ReplicationController, Service) matches: every pair present; an empty map matches nothing. */
export function matchesMapSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** A LabelSelector message as the text a list's labelSelector option takes. */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In' || e.operator === 'NotIn') parts.push(`${e.key} ${e.operator.toLowerCase()} (${e.values.join(',')})`);
    else if (e.operator === 'Exists') parts.push(`${e.key}`);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** The controlling owner reference (controller: true), if any. */
export function controllerRef(obj: { metadata?: ObjectMeta }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `owner` controls `obj` (by uid). */
export function isControlledBy(obj: { metadata?: ObjectMeta }, owner: { metadata?: ObjectMeta }): boolean {
  const ref = controllerRef(obj);
  return ref !== undefined && ref.uid === owner.metadata?.uid;
}

/** The apiVersion a resource's facts name: `v1` for core, `apps/v1` otherwise. */
export const apiVersionOf = (facts: Pick<ResourceFacts, 'group' | 'version'>): string => (facts.group ? `${facts.group}/${facts.version}` : facts.version);

/** A controller's owner reference to `owner` (controller and blockOwnerDeletion set, as upstream's NewControllerRef). */
export function ownerReferenceTo(facts: Pick<ResourceFacts, 'group' | 'version' | 'kind'>, owner: { metadata?: ObjectMeta }): OwnerReference {
  return { apiVersion: apiVersionOf(facts), kind: facts.kind, name: owner.metadata?.name, uid: owner.metadata?.uid, controller: true, blockOwnerDeletion: true };
}
