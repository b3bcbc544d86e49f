/**
 * The FailedScheduling message, in upstream's format: a histogram of the filter reasons over the
 * nodes, then what DefaultPreemption (the PostFilter) concluded, e.g.
 * `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption:
 * 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`
 * Preemption itself is not implemented: a node where it could help (a resolvable failure) reads
 * `No preemption victims found for incoming pod`.
 */
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import type { FilterFailure } from './framework.js';

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';

/** Why a pod fits no node: each node's first failing filter. */
export interface FitError {
  numAllNodes: number;
  failures: Map<string, FilterFailure>;
}

/** `<count> <reason>` per distinct reason, sorted as strings (upstream sortReasonsHistogram). */
export function reasonsHistogram(reasonsPerNode: Iterable<string[]>): string {
  const counts = new Map<string, number>();
  for (const reasons of reasonsPerNode) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

function nodesAvailable(n: number, histogram: string): string {
  return histogram ? `0/${n} nodes are available: ${histogram}.` : `0/${n} nodes are available:`;
}

/** The DefaultPreemption PostFilter message for a pod that fits no node. */
export function preemptionMessage(pod: Pod, fit: FitError): string {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const perNode: string[][] = [];
  for (const failure of fit.failures.values()) perNode.push([failure.resolvable ? NO_PREEMPTION_VICTIMS : PREEMPTION_NOT_HELPFUL]);
  for (let i = fit.failures.size; i < fit.numAllNodes; i++) perNode.push([PREEMPTION_NOT_HELPFUL]);
  return nodesAvailable(fit.numAllNodes, reasonsHistogram(perNode));
}

/** The whole FailedScheduling message (FitError.Error() with the PostFilter message). */
export function fitErrorMessage(pod: Pod, fit: FitError): string {
  const filterMsg = nodesAvailable(fit.numAllNodes, reasonsHistogram([...fit.failures.values()].map((f) => f.reasons)));
  return `${filterMsg} preemption: ${preemptionMessage(pod, fit)}`;
}
