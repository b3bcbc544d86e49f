/**
 * A DaemonSet's status over the nodes (upstream updateDaemonSetStatus): desired counts nodes
 * that should run the pod, current those of them with a pod, misscheduled the others with a pod;
 * ready / available / updated judge each node's oldest pod.
 */
import type { DaemonSet, DaemonSetStatus } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Node } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { isPodAvailable, isPodReady, isTerminating } from '../podutil/readiness.js';
import { byCreationAndPhase } from './node-pods.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import { isPodUpdated, templateGeneration } from './pod-template.js';

export function computeDaemonSetStatus(ds: DaemonSet, nodes: Node[], byNode: Map<string, Pod[]>, hash: string, now: Date): DaemonSetStatus {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = (byNode.get(node.metadata?.name ?? '') ?? []).filter((p) => !isTerminating(p));
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) misscheduled++;
      continue;
    }
    desired++;
    if (!scheduled) continue;
    current++;
    const pod = [...pods].sort(byCreationAndPhase)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    updatedNumberScheduled: updated,
    numberUnavailable: desired - available,
    observedGeneration: ds.metadata?.generation ?? 0,
    collisionCount: ds.status?.collisionCount,
    conditions: ds.status?.conditions ?? [],
  };
}

/** The controller's fields differ. */
export function daemonStatusChanged(a: DaemonSetStatus | undefined, b: DaemonSetStatus): boolean {
  const keys = [
    'desiredNumberScheduled',
    'currentNumberScheduled',
    'numberMisscheduled',
    'numberReady',
    'numberAvailable',
    'updatedNumberScheduled',
    'numberUnavailable',
    'observedGeneration',
    'collisionCount',
  ] as const;
  return keys.some((k) => (a?.[k] ?? 0) !== (b[k] ?? 0));
}
