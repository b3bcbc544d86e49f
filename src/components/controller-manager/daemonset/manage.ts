/**
 * Which daemon pods to create and delete per node (upstream podsShouldBeOnNode and manage):
 * a node that should run the pod and has none gets one; failed and succeeded pods are deleted
 * (FailedDaemonPod warning for a failed one); without surge a node keeps only its oldest running
 * pod; with surge it keeps the oldest new and oldest old pod until the new one is available;
 * a node that may not keep the pod loses all of them; an unbound pod meant for a node that no
 * longer exists is deleted.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { intOrStringValue } from '../../../client/index.js';
import { POD_REVISION_HASH_LABEL } from '../history/revisions.js';
import { isPodAvailable, isPodReady, isTerminating } from '../podutil/readiness.js';
import { byCreationAndPhase } from './node-pods.js';
import { nodeShouldRunDaemonPod } from './placement.js';

/** The DaemonSet may run an extra pod per node during an update (maxSurge set and not 0). */
export function allowsSurge(ds: DaemonSet): boolean {
  const ru = ds.spec?.updateStrategy;
  if ((ru?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const surge = ru?.rollingUpdate?.maxSurge;
  // As upstream's SurgeCount over a single node, rounding up: any non-zero value allows surge.
  return surge !== undefined && intOrStringValue(surge, 1, true) > 0;
}

export interface NodeDecisions {
  nodesNeedingPods: string[];
  podsToDelete: string[];
  /** Warnings to record: failed pods found. */
  failedPods: { pod: Pod; node: string }[];
}

/** The decisions for one node. */
function podsShouldBeOnNode(ds: DaemonSet, node: Node, pods: Pod[] | undefined, hash: string, now: Date, out: NodeDecisions): void {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const name = node.metadata?.name ?? '';
  const exists = pods !== undefined && pods.length > 0;
  if (shouldRun && !exists) {
    out.nodesNeedingPods.push(name);
    return;
  }
  if (!exists) return;
  if (!shouldContinueRunning) {
    for (const pod of pods) if (!isTerminating(pod)) out.podsToDelete.push(pod.metadata?.name ?? '');
    return;
  }
  const running: Pod[] = [];
  for (const pod of pods) {
    if (isTerminating(pod)) continue;
    if (pod.status?.phase === 'Failed') {
      out.failedPods.push({ pod, node: name });
      out.podsToDelete.push(pod.metadata?.name ?? '');
    } else if (pod.status?.phase === 'Succeeded') {
      out.podsToDelete.push(pod.metadata?.name ?? '');
    } else {
      running.push(pod);
    }
  }
  running.sort(byCreationAndPhase);
  if (!allowsSurge(ds)) {
    for (const extra of running.slice(1)) out.podsToDelete.push(extra.metadata?.name ?? '');
    return;
  }
  if (running.length <= 1) {
    if (running.length === 0 && shouldRun) out.nodesNeedingPods.push(name);
    return;
  }
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata?.labels?.[POD_REVISION_HASH_LABEL] === hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else out.podsToDelete.push(pod.metadata?.name ?? '');
  }
  if (oldestNew && oldestOld) {
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now)) {
      out.podsToDelete.push(oldestOld.metadata?.name ?? '');
    }
  }
}

/** The decisions over all nodes, plus unbound pods meant for nodes that are gone. */
export function manageDecisions(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string, now: Date): NodeDecisions {
  const out: NodeDecisions = { nodesNeedingPods: [], podsToDelete: [], failedPods: [] };
  const known = new Set<string>();
  for (const node of nodes) {
    known.add(node.metadata?.name ?? '');
    podsShouldBeOnNode(ds, node, byNode.get(node.metadata?.name ?? ''), hash, now, out);
  }
  for (const [nodeName, pods] of byNode) {
    if (known.has(nodeName)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName && !isTerminating(pod)) out.podsToDelete.push(pod.metadata?.name ?? '');
  }
  return out;
}
