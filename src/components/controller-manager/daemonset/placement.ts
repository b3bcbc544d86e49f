/**
 * Which nodes a DaemonSet's pod belongs on (upstream NodeShouldRunDaemonPod): the pod's
 * nodeName (if the template names one), nodeSelector and required node affinity must match the
 * node, and every NoSchedule/NoExecute taint must be tolerated. A node with an untolerated
 * NoSchedule taint keeps a pod already there; an untolerated NoExecute taint evicts it.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Node, Taint } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { PodSpec, Toleration } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { matchesAnyTerm } from '../../common/node-selector.js';
import { toleratesTaint } from '../../common/tolerations.js';
import { withDaemonTolerations } from './pod-template.js';

/** The toleration covers the taint (v1helper ToleratesTaint). */
export const tolerates = toleratesTaint;

/** The first taint matching `filter` that no toleration covers. */
export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((t) => filter(t) && !tolerations.some((tol) => toleratesTaint(tol, t)));
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both match the node. */
export function matchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return matchesAnyTerm(required.nodeSelectorTerms, node);
}

/** Whether a daemon pod should be created on the node, and whether one there may keep running. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = withDaemonTolerations(ds.spec?.template?.spec);
  const nodeName = ds.spec?.template?.spec?.nodeName;
  if (nodeName && nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  const blocking = untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (blocking) {
    const evicting = untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: evicting === undefined };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
