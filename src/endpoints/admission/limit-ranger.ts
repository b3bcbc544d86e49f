/**
 * LimitRanger (upstream's plugin of that name): the namespace's LimitRanges give a Pod's
 * containers and init containers the `Container` defaults (`default` → limits,
 * `defaultRequest` → requests) they lack, recorded in the `kubernetes.io/limit-ranger`
 * annotation, and refuse Pods and PersistentVolumeClaims outside `min`, `max` and
 * `maxLimitRequestRatio`, in upstream's words. Pod updates pass (containers' resources are
 * immutable here), as do subresources and objects being deleted.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/rest/admission.js';
import type { ResourceStore } from '../../registry/rest/resource-store.js';
import { admissionForbidden, aggregateMessage } from './admission-errors.js';
import { addLists, compareQuantity, maxQuantity, quantityValue, type ResourceList } from './quantities.js';

const ANNOTATION = 'kubernetes.io/limit-ranger';

interface LimitRangeItem {
  type?: string;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

interface Container {
  name?: string;
  resources?: { limits?: ResourceList; requests?: ResourceList };
  restartPolicy?: string;
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
}

function itemsOf(limitRange: KubeObject): LimitRangeItem[] {
  return ((limitRange.spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []) as LimitRangeItem[];
}

/** Which admissions LimitRanger looks at. */
function supports(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (a.subresource !== undefined || a.kind.group !== '' || !a.object) return undefined;
  if ((a.oldObject?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp) return undefined;
  if (a.kind.kind === 'Pod') return a.operation === 'CREATE' ? 'pod' : undefined;
  if (a.kind.kind === 'PersistentVolumeClaim' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return 'pvc';
  return undefined;
}

/** Sets the defaults of one container; returns the annotation parts. */
function defaultContainer(c: Container, limits: ResourceList, requests: ResourceList, what: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(limits)) {
    if (res.limits?.[k] === undefined) {
      (res.limits ??= {})[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(requests)) {
    if (res.requests?.[k] === undefined) {
      (res.requests ??= {})[k] = v;
      setRequests.push(k);
    }
  }
  const parts: string[] = [];
  if (setRequests.length) parts.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name ?? ''}`);
  if (setLimits.length) parts.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name ?? ''}`);
  return parts;
}

/** Upstream's PodMutateLimitFunc: the LimitRange's Container defaults on every container that lacks them. */
function defaultPod(limitRange: KubeObject, pod: KubeObject): void {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const item of itemsOf(limitRange)) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  const spec = (pod.spec ?? {}) as PodSpec;
  const parts: string[] = [];
  for (const c of spec.containers ?? []) parts.push(...defaultContainer(c, limits, requests, 'container'));
  for (const c of spec.initContainers ?? []) parts.push(...defaultContainer(c, limits, requests, 'init container'));
  if (parts.length) {
    const meta = (pod.metadata ??= {});
    meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${parts.join('; ')}` };
  }
}

function minConstraint(type: string, name: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  if (req === undefined) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (compareQuantity(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  if (lim !== undefined && compareQuantity(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (compareQuantity(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  if (req !== undefined && compareQuantity(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

/** For claims, where only requests are the user's input. */
function maxRequestConstraint(type: string, name: string, enforced: string, request: ResourceList): string | undefined {
  const req = request[name];
  if (req === undefined) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (compareQuantity(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

/** The limit-to-request ratio (printed as Go's %f: six decimals). */
function ratioConstraint(type: string, name: string, enforced: string, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  if (req === undefined || quantityValue(req) === 0) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (lim === undefined || quantityValue(lim) === 0) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const ratio = quantityValue(lim) / quantityValue(req);
  if (ratio > quantityValue(enforced)) return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** Every check of one item against one request/limit pair. */
function checkItem(item: LimitRangeItem, type: string, request: ResourceList, limit: ResourceList, errs: string[]): void {
  const push = (e: string | undefined): void => {
    if (e) errs.push(e);
  };
  for (const [k, v] of Object.entries(item.min ?? {})) push(minConstraint(type, k, v, request, limit));
  for (const [k, v] of Object.entries(item.max ?? {})) push(maxConstraint(type, k, v, request, limit));
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) push(ratioConstraint(type, k, v, request, limit));
}

/**
 * A pod's effective requests or limits: the regular containers and restartable (sidecar)
 * init containers summed, against each ordinary init container with the sidecars started
 * before it — the larger per resource (pod overhead left out, as upstream's LimitRanger).
 */
export function podResources(spec: PodSpec, which: 'requests' | 'limits'): ResourceList {
  let sum: ResourceList = {};
  for (const c of spec.containers ?? []) sum = addLists(sum, c.resources?.[which] ?? {});
  let sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of spec.initContainers ?? []) {
    const own = c.resources?.[which] ?? {};
    if (c.restartPolicy === 'Always') {
      sidecars = addLists(sidecars, own);
      sum = addLists(sum, own);
      continue;
    }
    const during = addLists(sidecars, own);
    for (const [k, v] of Object.entries(during)) initMax[k] = maxQuantity(initMax[k], v);
  }
  const out: ResourceList = { ...sum };
  for (const [k, v] of Object.entries(initMax)) out[k] = maxQuantity(out[k], v);
  return out;
}

/** Upstream's PodValidateLimitFunc. */
function validatePod(limitRange: KubeObject, pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const errs: string[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
      }
    }
    if (item.type === 'Pod') checkItem(item, 'Pod', podResources(spec, 'requests'), podResources(spec, 'limits'), errs);
  }
  return errs;
}

/** Upstream's PersistentVolumeClaimValidateLimitFunc: storage requests only. */
function validateClaim(limitRange: KubeObject, pvc: KubeObject): string[] {
  const requests = ((pvc.spec as { resources?: { requests?: ResourceList } } | undefined)?.resources?.requests ?? {}) as ResourceList;
  const errs: string[] = [];
  for (const item of itemsOf(limitRange)) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(item.min ?? {})) {
      const e = minConstraint('PersistentVolumeClaim', k, v, requests, {});
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(item.max ?? {})) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

/** The LimitRanger plugin over the limitranges' storage store. */
export function limitRanger(limitRanges: () => ResourceStore): AdmissionPlugin {
  // As upstream: what the cache holds, and a live (consistent) read when it holds none, as the
  // cache may not have seen a LimitRange written just before.
  const rangesOf = async (namespace: string): Promise<KubeObject[]> => {
    const cached = (await limitRanges().list(namespace, { resourceVersion: '0' })).items;
    return cached.length ? cached : (await limitRanges().list(namespace, {})).items;
  };
  return {
    name: 'LimitRanger',
    async mutate(a) {
      if (supports(a) !== 'pod' || !a.namespace) return;
      const ranges = await rangesOf(a.namespace);
      if (ranges.length === 0) return;
      const pod = structuredClone(a.object!);
      for (const r of ranges) defaultPod(r, pod);
      return pod;
    },
    async validate(a) {
      const what = supports(a);
      if (!what || !a.namespace) return;
      for (const r of await rangesOf(a.namespace)) {
        const message = aggregateMessage(what === 'pod' ? validatePod(r, a.object!) : validateClaim(r, a.object!));
        if (message) throw admissionForbidden(a, message);
      }
    },
  };
}
