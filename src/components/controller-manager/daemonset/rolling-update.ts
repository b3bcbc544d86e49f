/**
 * A DaemonSet's RollingUpdate (upstream daemon/update.go rollingUpdate). Without surge, old pods
 * are deleted (the manage pass then creates new ones) while at most maxUnavailable nodes lack an
 * available pod; an old pod that is not available is replaced at once. With surge, new pods are
 * created beside old ones on up to maxSurge nodes, and an old pod goes once its node's new pod is
 * available.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { intOrStringValue } from '../../../client/index.js';
import { isPodAvailable, isTerminating } from '../podutil/readiness.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import { isPodUpdated, templateGeneration } from './pod-template.js';

/** The node's one new and one old pod; ok=false when it has more than one of either. */
function updatedPodsOnNode(ds: DaemonSet, pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = templateGeneration(ds);
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** Old pods to delete and nodes to surge onto. */
export interface RollingUpdatePlan {
  oldPodsToDelete: string[];
  newNodesToCreate: string[];
}

export function planRollingUpdate(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string, now: Date): RollingUpdatePlan {
  // Every node that should run the pod takes part, with or without pods (updatedDesiredNodeCounts).
  const nodePods = new Map<string, Pod[]>(byNode);
  let desired = 0;
  const nodesByName = new Map<string, Node>();
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    nodesByName.set(name, node);
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!nodePods.has(name)) nodePods.set(name, []);
  }
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = ru?.maxSurge ? intOrStringValue(ru.maxSurge, desired, true) : 0;
  let maxUnavailable = ru?.maxUnavailable ? intOrStringValue(ru.maxUnavailable, desired, true) : 1;
  if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod | undefined) => p !== undefined && isPodAvailable(p, minReady, now);
  const names = [...nodePods.keys()].sort();

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replace: string[] = [];
    const candidates: string[] = [];
    for (const name of names) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, nodePods.get(name)!, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod)) {
        replace.push(oldPod!.metadata?.name ?? '');
      } else if (numUnavailable < maxUnavailable) {
        candidates.push(oldPod!.metadata?.name ?? '');
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { oldPodsToDelete: [...replace, ...candidates.slice(0, remaining)], newNodesToCreate: [] };
  }

  const oldPodsToDelete: string[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let numSurge = 0;
  for (const name of names) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(ds, nodePods.get(name)!, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        const node = nodesByName.get(name);
        if (node && nodeShouldRunDaemonPod(node, ds).shouldRun) allowedNodes.push(name);
      } else if (numSurge < maxSurge) {
        candidateNodes.push(name);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    oldPodsToDelete.push(oldPod.metadata?.name ?? '');
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return { oldPodsToDelete, newNodesToCreate: [...allowedNodes, ...candidateNodes.slice(0, remaining)] };
}
