/**
 * Resource scoring (NodeResourcesFit's LeastAllocated strategy and
 * NodeResourcesBalancedAllocation) over cpu and memory, counting requests with the scoring
 * defaults for containers that request nothing.
 */
import { MAX_NODE_SCORE, type CycleState, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

const RESOURCES = ['cpu', 'memory'];

function requestedWith(state: CycleState, node: NodeInfo, name: string): number {
  return (node.nonZeroRequested.get(name) ?? 0) + (state.nonZeroRequests.get(name) ?? 0);
}

/**
 * LeastAllocated: per resource `(allocatable - requested) * 100 / allocatable` (0 when the
 * node has none or would be over-committed), averaged with equal weights; the emptiest node wins.
 */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  score(state, node) {
    let total = 0;
    for (const name of RESOURCES) {
      const allocatable = node.allocatable.get(name) ?? 0;
      const requested = requestedWith(state, node, name);
      if (allocatable === 0 || requested > allocatable) continue;
      total += Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
    }
    return Math.trunc(total / RESOURCES.length);
  },
};

/** BalancedAllocation: nodes whose cpu and memory fractions stay close score higher. */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(state, node) {
    const fractions: number[] = [];
    for (const name of RESOURCES) {
      const allocatable = node.allocatable.get(name) ?? 0;
      if (allocatable === 0) continue;
      fractions.push(Math.min(1, requestedWith(state, node, name) / allocatable));
    }
    if (fractions.length < 2) return MAX_NODE_SCORE;
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    const std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
