/**
 * resource.k8s.io v1beta1 (the storage version, as upstream 1.33 stores it) ⇄ v1beta2.
 * The two differ in two places only: v1beta2 moves a request's own device fields under
 * `exactly` (v1beta1 keeps them beside `firstAvailable`), and flattens a slice's device
 * (v1beta1 nests its attributes, capacity, counters, node fields and taints under `basic`),
 * while a slice's `nodeName`/`allNodes` become optional there (v1beta1 writes nothing for
 * "" and false, so unset and the zero value are the same object in both).
 */
import type { KubeObject } from '../../machinery/meta/object.js';

type Json = Record<string, unknown>;

const EXACT_FIELDS = ['deviceClassName', 'selectors', 'allocationMode', 'count', 'adminAccess', 'tolerations'] as const;
const BASIC_FIELDS = ['attributes', 'capacity', 'consumesCounters', 'nodeName', 'nodeSelector', 'allNodes', 'taints'] as const;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of plain JSON. */
function copy<T>(v: T): T {
  return structuredClone(v);
}

/** Applies `fn` to each request of a claim spec (`{devices: {requests}}`), in place. */
function eachRequest(spec: unknown, fn: (r: Json) => Json): void {
  if (!isObj(spec) || !isObj(spec.devices) || !Array.isArray(spec.devices.requests)) return;
  spec.devices.requests = spec.devices.requests.map((r) => (isObj(r) ? fn(r) : r));
}

/** A v1beta1 request → v1beta2: its own device fields under `exactly`, when it sets any. */
export function requestToV1beta2(r: Json): Json {
  const out: Json = {};
  if (r.name !== undefined) out.name = r.name;
  const exact: Json = {};
  for (const f of EXACT_FIELDS) if (r[f] !== undefined) exact[f] = r[f];
  // As upstream: `exactly` exists when any of its fields is set (invalid combinations are validation's to report).
  if (EXACT_FIELDS.some((f) => r[f] !== undefined && r[f] !== null && r[f] !== '' && r[f] !== 0)) out.exactly = exact;
  if (r.firstAvailable !== undefined) out.firstAvailable = r.firstAvailable;
  return out;
}

/** A v1beta2 request → v1beta1: `exactly`'s fields beside the name. */
export function requestToV1beta1(r: Json): Json {
  const out: Json = {};
  if (r.name !== undefined) out.name = r.name;
  if (isObj(r.exactly)) for (const f of EXACT_FIELDS) if (r.exactly[f] !== undefined) out[f] = r.exactly[f];
  if (r.firstAvailable !== undefined) out.firstAvailable = r.firstAvailable;
  return out;
}

/** A v1beta1 device (`basic` nested) → v1beta2 (flat). */
function deviceToV1beta2(d: Json): Json {
  const out: Json = {};
  if (d.name !== undefined) out.name = d.name;
  if (isObj(d.basic)) for (const f of BASIC_FIELDS) if (d.basic[f] !== undefined) out[f] = d.basic[f];
  return out;
}

/** A v1beta2 device → v1beta1: everything but the name under `basic`. */
function deviceToV1beta1(d: Json): Json {
  const out: Json = {};
  if (d.name !== undefined) out.name = d.name;
  const basic: Json = {};
  for (const f of BASIC_FIELDS) if (d[f] !== undefined) basic[f] = d[f];
  out.basic = basic;
  return out;
}

/** A ResourceClaim, or anything with a claim spec at `spec`, converted. */
function claimWith(obj: KubeObject, fn: (r: Json) => Json): KubeObject {
  const out = copy(obj) as Json;
  eachRequest(out.spec, fn);
  return out as KubeObject;
}

/** A ResourceClaimTemplate (the claim spec at `spec.spec`), converted. */
function templateWith(obj: KubeObject, fn: (r: Json) => Json): KubeObject {
  const out = copy(obj) as Json;
  if (isObj(out.spec)) eachRequest(out.spec.spec, fn);
  return out as KubeObject;
}

export const claimToV1beta2 = (obj: KubeObject): KubeObject => claimWith(obj, requestToV1beta2);
export const claimToV1beta1 = (obj: KubeObject): KubeObject => claimWith(obj, requestToV1beta1);
export const templateToV1beta2 = (obj: KubeObject): KubeObject => templateWith(obj, requestToV1beta2);
export const templateToV1beta1 = (obj: KubeObject): KubeObject => templateWith(obj, requestToV1beta1);

/** A v1beta1 ResourceSlice → v1beta2. */
export function sliceToV1beta2(obj: KubeObject): KubeObject {
  const out = copy(obj) as Json;
  const spec = out.spec;
  if (isObj(spec)) {
    if (spec.nodeName === '') delete spec.nodeName;
    if (spec.allNodes === false) delete spec.allNodes;
    if (Array.isArray(spec.devices)) spec.devices = spec.devices.map((d) => (isObj(d) ? deviceToV1beta2(d) : d));
  }
  return out as KubeObject;
}

/** A v1beta2 ResourceSlice → v1beta1. */
export function sliceToV1beta1(obj: KubeObject): KubeObject {
  const out = copy(obj) as Json;
  const spec = out.spec;
  if (isObj(spec)) {
    if (spec.nodeName === null) delete spec.nodeName;
    if (spec.allNodes === null) delete spec.allNodes;
    if (Array.isArray(spec.devices)) spec.devices = spec.devices.map((d) => (isObj(d) ? deviceToV1beta1(d) : d));
  }
  return out as KubeObject;
}

/**
 * `v` without null, zero values ("", 0, false), empty objects and empty lists, at any depth:
 * what a stored (protobuf) object and a client's JSON may differ by while Go's typed forms
 * are equal. (A pointer field set to its zero value is taken for unset here.)
 */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(pruned);
    return items.length ? items : undefined;
  }
  if (isObj(v)) {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const p = pruned(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null || v === '' || v === 0 || v === false ? undefined : v;
}

/** Whether two specs are the same once stored (the immutability checks' equality). */
export function sameStored(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(pruned(a))) === JSON.stringify(sortKeys(pruned(b)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
