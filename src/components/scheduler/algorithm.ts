/**
 * One scheduling decision: run the filter plugins over every node (a node's first failing filter
 * is its reason), score the feasible nodes with the score plugins (each normalised to 0..100,
 * times its weight), and pick the highest total, ties broken at random as upstream's selectHost.
 */
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin } from './framework.js';
import type { FitError } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/node-affinity.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { balancedAllocation, leastAllocated } from './plugins/resource-scoring.js';
import { taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration.js';
import { podRequests } from './resources.js';

/** The filters in upstream's default order. */
export const FILTERS: FilterPlugin[] = [nodeUnschedulable, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, interPodAffinity];
export const SCORERS: ScorePlugin[] = [taintTolerationScore, nodeAffinityScore, leastAllocated, balancedAllocation];

export type ScheduleResult = { nodeName: string; feasible: number } | { fitError: FitError } | { noNodes: true };

/** Builds the cycle state for `pod` over `nodes`. */
export function cycleStateFor(pod: Pod, nodes: NodeInfo[], namespaceLabels: CycleState['namespaceLabels']): CycleState {
  return { pod, nodes, requests: podRequests(pod), nonZeroRequests: podRequests(pod, true), namespaceLabels };
}

/** The first failing filter on one node, or undefined when the pod fits it. */
export function runFilters(state: CycleState, node: NodeInfo, pre: Map<string, unknown>): FilterFailure | undefined {
  for (const f of FILTERS) {
    const failure = f.filter(state, node, pre.get(f.name));
    if (failure) return failure;
  }
  return undefined;
}

/** Chooses a node for the cycle's pod. */
export function schedulePod(state: CycleState, random: () => number = Math.random): ScheduleResult {
  if (state.nodes.length === 0) return { noNodes: true };
  const pre = new Map<string, unknown>();
  for (const f of FILTERS) if (f.preFilter) pre.set(f.name, f.preFilter(state));
  const feasible: NodeInfo[] = [];
  const failures = new Map<string, FilterFailure>();
  for (const node of state.nodes) {
    const failure = runFilters(state, node, pre);
    if (failure) failures.set(node.name, failure);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { fitError: { numAllNodes: state.nodes.length, failures } };
  if (feasible.length === 1) return { nodeName: feasible[0]!.name, feasible: 1 };
  const totals = new Array<number>(feasible.length).fill(0);
  for (const s of SCORERS) {
    const scores = feasible.map((n) => s.score(state, n));
    s.normalize?.(scores);
    scores.forEach((v, i) => (totals[i]! += v * s.weight));
  }
  let best = -Infinity;
  let chosen = 0;
  let ties = 0;
  totals.forEach((t, i) => {
    if (t > best) {
      best = t;
      chosen = i;
      ties = 1;
    } else if (t === best) {
      ties++;
      if (random() * ties < 1) chosen = i;
    }
  });
  return { nodeName: feasible[chosen]!.name, feasible: feasible.length };
}
