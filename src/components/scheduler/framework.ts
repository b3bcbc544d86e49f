/**
 * The scheduling framework's vocabulary: a filter's verdict on one node (upstream's Status with
 * codes Unschedulable / UnschedulableAndUnresolvable and its reasons), and the plugin shapes.
 */
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import type { NodeInfo } from './node-info.js';
import type { ResourceList } from './resources.js';

/**
 * Why a node cannot take the pod. `resolvable` (upstream Unschedulable) means preempting pods on
 * the node might help; otherwise (UnschedulableAndUnresolvable) it cannot.
 */
export interface FilterFailure {
  plugin: string;
  reasons: string[];
  resolvable: boolean;
}

/** What a scheduling cycle knows beyond the node being filtered: every node, and namespace labels. */
export interface CycleState {
  pod: Pod;
  /** The pod's requests, and the same with the scoring defaults for missing cpu/memory. */
  requests: ResourceList;
  nonZeroRequests: ResourceList;
  nodes: NodeInfo[];
  namespaceLabels(namespace: string): Record<string, string> | undefined;
}

/** A filter plugin: undefined when the node fits. */
export interface FilterPlugin {
  name: string;
  /** Runs once per cycle before the nodes are filtered; the result is handed to `filter`. */
  preFilter?(state: CycleState): unknown;
  filter(state: CycleState, node: NodeInfo, pre: unknown): FilterFailure | undefined;
}

/** A score plugin: a raw score per feasible node, then normalised to 0..100, times `weight`. */
export interface ScorePlugin {
  name: string;
  weight: number;
  score(state: CycleState, node: NodeInfo): number;
  /** Rescales the raw scores in place to 0..100; absent when score already is. */
  normalize?(scores: number[]): void;
}

/** The highest node score a plugin gives (upstream MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

export function unschedulable(plugin: string, ...reasons: string[]): FilterFailure {
  return { plugin, reasons, resolvable: true };
}

export function unresolvable(plugin: string, ...reasons: string[]): FilterFailure {
  return { plugin, reasons, resolvable: false };
}
