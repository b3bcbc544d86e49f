/**
 * resource.k8s.io decode-time defaults, per version (upstream's SetDefaults_* of v1beta1,
 * v1beta2 and v1alpha3): a request for an exact set of devices counts one device unless it
 * says otherwise, a toleration's operator is `Equal`, and a taint records when it was added.
 */
import type { KubeObject } from '../../machinery/meta/object.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** The second the taint was added, as upstream truncates it. */
export function nowSeconds(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function defaultTolerations(v: unknown): void {
  for (const t of list(v)) if (t.operator === undefined || t.operator === '') t.operator = 'Equal';
}

/** allocationMode ExactCount and count 1 when unset; the tolerations' operator. */
function defaultExact(r: Json): void {
  if (r.allocationMode === undefined || r.allocationMode === '') r.allocationMode = 'ExactCount';
  if (r.allocationMode === 'ExactCount' && (r.count === undefined || r.count === 0)) r.count = 1;
  defaultTolerations(r.tolerations);
}

function defaultRequest(r: Json, version: 'v1beta1' | 'v1beta2'): void {
  if (version === 'v1beta1') {
    // v1beta1: a request that names a class is an exact request; one without has subrequests.
    if (typeof r.deviceClassName === 'string' && r.deviceClassName !== '') defaultExact(r);
  } else if (isObj(r.exactly)) defaultExact(r.exactly);
  for (const s of list(r.firstAvailable)) defaultExact(s);
}

function defaultClaimSpec(spec: unknown, version: 'v1beta1' | 'v1beta2'): void {
  if (!isObj(spec) || !isObj(spec.devices)) return;
  for (const r of list(spec.devices.requests)) defaultRequest(r, version);
}

export const defaultClaim = (version: 'v1beta1' | 'v1beta2') => (obj: KubeObject): void => defaultClaimSpec((obj as Json).spec, version);

export const defaultTemplate = (version: 'v1beta1' | 'v1beta2') => (obj: KubeObject): void => {
  const spec = (obj as Json).spec;
  if (isObj(spec)) defaultClaimSpec(spec.spec, version);
};

function defaultTaint(t: Json): void {
  if (t.timeAdded === undefined || t.timeAdded === null) t.timeAdded = nowSeconds();
}

/** A slice's device taints (under `basic` in v1beta1). */
export const defaultSlice = (version: 'v1beta1' | 'v1beta2') => (obj: KubeObject): void => {
  const spec = (obj as Json).spec;
  if (!isObj(spec)) return;
  for (const d of list(spec.devices)) {
    const holder = version === 'v1beta1' ? d.basic : d;
    if (isObj(holder)) for (const t of list(holder.taints)) defaultTaint(t);
  }
};

/** A DeviceTaintRule's taint. */
export function defaultTaintRule(obj: KubeObject): void {
  const spec = (obj as Json).spec;
  if (isObj(spec) && isObj(spec.taint)) defaultTaint(spec.taint);
}
