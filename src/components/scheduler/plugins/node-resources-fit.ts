/**
 * NodeResourcesFit: the pod's requests must fit in what the node's allocatable leaves after the
 * requests of the pods already counted there (bound and assumed), and the node must take one
 * more pod. Reasons as upstream: `Too many pods`, `Insufficient cpu`, `Insufficient memory`,
 * `Insufficient <resource>`; a request larger than the node's whole allocatable is not
 * resolvable by preemption.
 */
import { unschedulable, type FilterFailure, type FilterPlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { ResourceList } from '../resources.js';

const FIXED = ['cpu', 'memory', 'ephemeral-storage'];

/** The failure for `requests` on `node`, or undefined when they fit. */
export function fitsRequest(requests: ResourceList, node: NodeInfo): FilterFailure | undefined {
  const reasons: string[] = [];
  let resolvable = true;
  const allowedPods = node.allocatable.get('pods') ?? 0;
  if (node.pods.size + 1 > allowedPods) reasons.push('Too many pods');
  const names = [...FIXED, ...[...requests.keys()].filter((n) => !FIXED.includes(n) && n !== 'pods').sort()];
  for (const name of names) {
    const want = requests.get(name) ?? 0;
    if (want <= 0) continue;
    const allocatable = node.allocatable.get(name) ?? 0;
    const used = node.requested.get(name) ?? 0;
    if (want > allocatable - used) {
      reasons.push(`Insufficient ${name}`);
      if (want > allocatable) resolvable = false;
    }
  }
  if (reasons.length === 0) return undefined;
  const failure = unschedulable('NodeResourcesFit', ...reasons);
  failure.resolvable = resolvable;
  return failure;
}

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(state, node) {
    return fitsRequest(state.requests, node);
  },
};
