/**
 * NodeInfo: one node with the pods the scheduler counts on it (bound and assumed) and the sums of
 * their requests, kept up to date incrementally as pods come and go.
 */
import type { Node } from '../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../gen/k8s/io/api/core/v1/pod.js';
import { nodeAllocatable, podRequests, type ResourceList } from './resources.js';

/** A pod as the cache holds it: the object and its requests, computed once. */
export interface PodInfo {
  key: string;
  pod: Pod;
  requests: ResourceList;
  nonZeroRequests: ResourceList;
}

/** Builds a PodInfo for `pod` under `key`. */
export function podInfoOf(key: string, pod: Pod): PodInfo {
  return { key, pod, requests: podRequests(pod), nonZeroRequests: podRequests(pod, true) };
}

function addTo(into: ResourceList, from: ResourceList, sign: 1 | -1): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + sign * v);
}

/** The scheduler's view of one node. `node` is undefined while only pods name it (node not yet seen). */
export class NodeInfo {
  node: Node | undefined;
  allocatable: ResourceList = new Map();
  readonly pods = new Map<string, PodInfo>();
  /** Sum of the counted pods' requests. */
  readonly requested: ResourceList = new Map();
  /** Sum of the counted pods' requests with the scoring defaults for missing cpu/memory. */
  readonly nonZeroRequested: ResourceList = new Map();

  constructor(readonly name: string) {}

  setNode(node: Node | undefined): void {
    this.node = node;
    this.allocatable = node ? nodeAllocatable(node) : new Map();
  }

  addPod(info: PodInfo): void {
    this.removePod(info.key);
    this.pods.set(info.key, info);
    addTo(this.requested, info.requests, 1);
    addTo(this.nonZeroRequested, info.nonZeroRequests, 1);
  }

  removePod(key: string): boolean {
    const old = this.pods.get(key);
    if (!old) return false;
    this.pods.delete(key);
    addTo(this.requested, old.requests, -1);
    addTo(this.nonZeroRequested, old.nonZeroRequests, -1);
    return true;
  }

  /** The node's label for `key` (undefined when the node lacks it or is unknown). */
  label(key: string): string | undefined {
    return this.node?.metadata?.labels?.[key];
  }
}
