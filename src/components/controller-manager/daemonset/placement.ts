/**
 * Which nodes a DaemonSet's pod belongs on (upstream NodeShouldRunDaemonPod): the pod's
 * nodeName (if the template names one), nodeSelector and required node affinity must match the
 * node, and every NoSchedule/NoExecute taint must be tolerated. A node with an untolerated
 * NoSchedule taint keeps a pod already there; an untolerated NoExecute taint evicts it.
 */
import type { DaemonSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Node, Taint } from '../../../../gen/k8s/io/api/core/v1/node.js';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Toleration } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { withDaemonTolerations } from './pod-template.js';

/** The toleration covers the taint (v1helper ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return true;
  return operator === 'Equal' && (toleration.value ?? '') === (taint.value ?? '');
}

/** The first taint matching `filter` that no toleration covers. */
export function untoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((t) => filter(t) && !tolerations.some((tol) => tolerates(tol, t)));
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0]!, 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions (labels) and fields (metadata.name) do; an empty term matches nothing. */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const req of expressions) if (!requirementMatches(req, Object.hasOwn(labels, req.key ?? '') ? labels[req.key ?? ''] : undefined)) return false;
  for (const req of fields) {
    if (req.key !== 'metadata.name') return false;
    if (!requirementMatches(req, node.metadata?.name)) return false;
  }
  return true;
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both match the node. */
export function matchesNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
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
