/**
 * What an object uses of a ResourceQuota (upstream's quota evaluators): one of its kind
 * (`count/<resource>.<group>`, and the legacy names `pods`, `services`, `configmaps`,
 * `secrets`, `persistentvolumeclaims`, `replicationcontrollers`, `resourcequotas`), and for
 * Pods their compute requests and limits (`requests.cpu`, `cpu`, `limits.memory`, …), for
 * Services their load balancers and node ports, for claims their storage requests. Shared by
 * the ResourceQuota admission plugin and the quota controller.
 */
import type { KubeObject } from '../../machinery/meta/object.js';
import { podResources } from './limit-ranger.js';
import { addQuantity, type ResourceList } from './quantities.js';

/** The legacy object-count names, by resource (core group). */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The compute resources a Pod's quota may track, with the container field they are read from. */
const POD_COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** `count/pods`, `count/deployments.apps`. */
export function countName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The resource a quota name counts objects of ({group, resource}), when it is one. */
export function countedResource(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  for (const [resource, legacy] of Object.entries(LEGACY_COUNTS)) if (legacy === name) return { group: '', resource };
  if (name.startsWith('requests.') || name.startsWith('limits.') || POD_COMPUTE.includes(name)) {
    return name === 'requests.storage' ? { group: '', resource: 'persistentvolumeclaims' } : { group: '', resource: 'pods' };
  }
  if (name === 'services.loadbalancers' || name === 'services.nodeports') return { group: '', resource: 'services' };
  if (name.endsWith('.storageclass.storage.k8s.io/requests.storage') || name.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims')) {
    return { group: '', resource: 'persistentvolumeclaims' };
  }
  return undefined;
}

/** A Pod that no longer counts: finished, or deleted and past its grace period. */
function isTerminalPod(pod: KubeObject, now: number): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const deleted = pod.metadata?.deletionTimestamp;
  if (!deleted) return false;
  const grace = (pod.metadata?.deletionGracePeriodSeconds as number | undefined) ?? 0;
  return Date.parse(deleted as string) + grace * 1000 < now;
}

function podUsage(pod: KubeObject): ResourceList {
  const spec = (pod.spec ?? {}) as Parameters<typeof podResources>[0];
  const requests = podResources(spec, 'requests');
  const limits = podResources(spec, 'limits');
  const out: ResourceList = { pods: '1' };
  for (const r of POD_COMPUTE) {
    if (requests[r] !== undefined) {
      out[`requests.${r}`] = requests[r]!;
      out[r] = requests[r]!;
    }
    if (limits[r] !== undefined) out[`limits.${r}`] = limits[r]!;
  }
  for (const [k, v] of Object.entries(requests)) if (k.startsWith('hugepages-')) out[`requests.${k}`] = v;
  return out;
}

function serviceUsage(svc: KubeObject): ResourceList {
  const spec = (svc.spec ?? {}) as { type?: string; ports?: { nodePort?: number }[] };
  const out: ResourceList = { services: '1' };
  const nodePorts = (spec.ports ?? []).filter((p) => p.nodePort !== undefined && p.nodePort !== 0).length;
  if (spec.type === 'LoadBalancer') out['services.loadbalancers'] = '1';
  if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') out['services.nodeports'] = String(nodePorts || (spec.ports ?? []).length);
  return out;
}

function claimUsage(pvc: KubeObject): ResourceList {
  const spec = (pvc.spec ?? {}) as { storageClassName?: string; resources?: { requests?: ResourceList } };
  const out: ResourceList = { persistentvolumeclaims: '1' };
  const storage = spec.resources?.requests?.storage;
  if (storage !== undefined) out['requests.storage'] = storage;
  if (spec.storageClassName) {
    out[`${spec.storageClassName}.storageclass.storage.k8s.io/persistentvolumeclaims`] = '1';
    if (storage !== undefined) out[`${spec.storageClassName}.storageclass.storage.k8s.io/requests.storage`] = storage;
  }
  return out;
}

/** What `obj` of `group`/`resource` uses (empty: nothing, e.g. a finished Pod). */
export function usageOf(group: string, resource: string, obj: KubeObject, now = Date.now()): ResourceList {
  let out: ResourceList = {};
  if (group === '' && resource === 'pods') {
    if (isTerminalPod(obj, now)) return {};
    out = podUsage(obj);
  } else if (group === '' && resource === 'services') out = serviceUsage(obj);
  else if (group === '' && resource === 'persistentvolumeclaims') out = claimUsage(obj);
  else if (group === '' && LEGACY_COUNTS[resource]) out[LEGACY_COUNTS[resource]!] = '1';
  out[countName(group, resource)] = '1';
  return out;
}

/** The usage of many objects added up. */
export function totalUsage(group: string, resource: string, objects: readonly KubeObject[], now = Date.now()): ResourceList {
  const total: ResourceList = {};
  for (const obj of objects) for (const [k, v] of Object.entries(usageOf(group, resource, obj, now))) total[k] = addQuantity(total[k], v);
  return total;
}

interface ScopeRequirement {
  scopeName?: string;
  operator?: string;
  values?: string[];
}

/** Whether a Pod is in one quota scope (upstream's podMatchesScopeFunc). */
function podInScope(pod: KubeObject, req: ScopeRequirement): boolean {
  const spec = (pod.spec ?? {}) as { activeDeadlineSeconds?: number; priorityClassName?: string } & Parameters<typeof podResources>[0];
  const bestEffort = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every(
    (c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0,
  );
  const terminating = spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds >= 0;
  switch (req.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return bestEffort;
    case 'NotBestEffort':
      return !bestEffort;
    case 'PriorityClass': {
      const pc = spec.priorityClassName;
      switch (req.operator) {
        case 'Exists':
          return pc !== undefined && pc !== '';
        case 'DoesNotExist':
          return !pc;
        case 'In':
          return (req.values ?? []).includes(pc ?? '');
        case 'NotIn':
          return !(req.values ?? []).includes(pc ?? '');
        default:
          return false;
      }
    }
    default:
      return false;
  }
}

/** Whether `quota` covers `obj` of `group`/`resource` (its scopes; object counts have none). */
export function quotaMatches(quota: KubeObject, group: string, resource: string, obj: KubeObject): boolean {
  const spec = (quota.spec ?? {}) as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeRequirement[] } };
  const reqs: ScopeRequirement[] = [...(spec.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' })), ...(spec.scopeSelector?.matchExpressions ?? [])];
  if (reqs.length === 0) return true;
  if (group !== '' || resource !== 'pods') return false;
  return reqs.every((r) => podInScope(obj, r));
}

/** The compute resources whose presence in every container a Pod quota demands (upstream's backward-compatibility rule). */
const REQUIRED_PER_CONTAINER = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** Upstream's pod Constraints: `must specify limits.cpu for: a,b; requests.memory for: a`, or undefined. */
export function podConstraintError(pod: KubeObject, tracked: readonly string[]): string | undefined {
  const required = tracked.filter((r) => REQUIRED_PER_CONTAINER.includes(r));
  if (required.length === 0) return undefined;
  const spec = (pod.spec ?? {}) as Parameters<typeof podResources>[0];
  const missing = new Map<string, Set<string>>();
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const has = podUsage({ spec: { containers: [c] } });
    for (const r of required) {
      if (has[r] === undefined) {
        const names = missing.get(r) ?? new Set<string>();
        names.add((c as { name?: string }).name ?? '');
        missing.set(r, names);
      }
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}
