/**
 * Resource arithmetic of the scheduler: what a pod requests and what a node offers, in the
 * units upstream's NodeInfo keeps (milli-CPU, bytes, pod count, integer scalars).
 */
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { Container, Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import type { Quantity } from '../../../gen/k8s/io/apimachinery/pkg/api/resource/generated.js';
import { quantityOf } from '../../client/index.js';

/** A set of resource amounts: `cpu` in milli-CPU, `memory`/`ephemeral-storage` in bytes, others as counts. */
export type ResourceList = Map<string, number>;

/** Requests without a CPU request count this much milli-CPU when scoring (upstream DefaultMilliCPURequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Requests without a memory request count this many bytes when scoring (upstream DefaultMemoryRequest, 200Mi). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** One quantity in the scheduler's unit for `name`: milli-CPU for cpu (rounded up), whole units otherwise. */
export function amountOf(name: string, q: Quantity | undefined): number {
  const v = quantityOf(q);
  return name === 'cpu' ? Math.ceil(Math.round(v * 1e6) / 1e3) : Math.ceil(v);
}

/** A Kubernetes resource map (`{ cpu: {string:'500m'} }`) as a ResourceList. */
export function toResourceList(map: { [key: string]: Quantity } | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, q] of Object.entries(map ?? {})) out.set(name, amountOf(name, q));
  return out;
}

function add(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function max(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of from) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

function containerRequests(c: Container, nonZero: boolean): ResourceList {
  const r = toResourceList(c.resources?.requests);
  if (nonZero) {
    if (!r.has('cpu')) r.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
    if (!r.has('memory')) r.set('memory', DEFAULT_MEMORY_REQUEST);
  }
  return r;
}

/**
 * A pod's effective requests as upstream computes them: the sum of its app containers plus its
 * sidecars (restartable init containers), or the largest single init-container phase (each
 * regular init container plus the sidecars started before it) when that is more; then the pod
 * overhead. Pod-level `spec.resources.requests` for cpu/memory replace the container sums. With
 * `nonZero`, containers without a cpu/memory request count the scoring defaults (100m, 200Mi).
 */
export function podRequests(pod: Pod, nonZero = false): ResourceList {
  const spec = pod.spec;
  const reqs: ResourceList = new Map();
  for (const c of spec?.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      add(reqs, r);
      add(sidecars, r);
      max(initMax, sidecars);
    } else {
      const phase: ResourceList = new Map(r);
      add(phase, sidecars);
      max(initMax, phase);
    }
  }
  max(reqs, initMax);
  const podLevel = toResourceList(spec?.resources?.requests);
  for (const name of ['cpu', 'memory']) {
    const v = podLevel.get(name);
    if (v !== undefined) reqs.set(name, v);
  }
  add(reqs, toResourceList(spec?.overhead));
  return reqs;
}

/** A node's `status.allocatable` as a ResourceList (`pods` the number of pods it takes). */
export function nodeAllocatable(node: Node): ResourceList {
  return toResourceList(node.status?.allocatable);
}
