/** Daemon pods grouped by the node they are bound to or meant for. */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { createdAt } from '../podutil/readiness.js';
import { targetNodeName } from './pod-template.js';

/** Pods by target node; pods naming no node are left out. */
export function podsByNode(pods: Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = byNode.get(node);
    if (list) list.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Oldest first; at equal times, the pod further along (Running before Pending) first (podByCreationTimestampAndPhase). */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const d = createdAt(a) - createdAt(b);
  if (d !== 0) return d;
  const pa = PHASE_ORDER[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_ORDER[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pb - pa;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}
