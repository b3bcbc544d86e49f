/** How the Job controller reads a pod: active, terminating, ready, finished, its index. */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { timeOf } from '../../../client/index.js';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './names.js';

/** Sentinel for a pod without a valid completion index. */
export const UNKNOWN_INDEX = -1;

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Neither finished nor being deleted (upstream's FilterActivePods). */
export function isActive(p: Pod): boolean {
  return !isTerminal(p) && p.metadata?.deletionTimestamp === undefined;
}

/** Being deleted but not finished (upstream's CountTerminatingPods). */
export function isTerminating(p: Pod): boolean {
  return p.metadata?.deletionTimestamp !== undefined && !isTerminal(p);
}

/** Whether the pod's Ready condition is True. */
export function isReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Whether the pod counts as failed: phase Failed, or (unless only failed pods are replaced)
 * deleted before it succeeded.
 */
export function isPodFailed(p: Pod, onlyReplaceFailed: boolean): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailed) return false;
  return p.metadata?.deletionTimestamp !== undefined && p.status?.phase !== 'Succeeded';
}

/** Whether the pod still carries the job-tracking finalizer. */
export function hasTrackingFinalizer(p: Pod): boolean {
  return (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/** The completion index from the pod's annotation, or UNKNOWN_INDEX. */
export function completionIndex(p: Pod): number {
  const text = p.metadata?.annotations?.[JOB_COMPLETION_INDEX];
  if (text === undefined || !/^(0|[1-9][0-9]*)$/.test(text)) return UNKNOWN_INDEX;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : UNKNOWN_INDEX;
}

/**
 * When the pod finished: the latest container termination, else the Ready condition's
 * last transition, else `fallback` (upstream's getFinishedTime).
 */
export function finishedTime(p: Pod, fallback: Date): Date {
  let latest: Date | undefined;
  for (const s of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const t = timeOf(s.state?.terminated?.finishedAt);
    if (t && (!latest || t > latest)) latest = t;
  }
  if (latest) return latest;
  const ready = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return timeOf(ready?.lastTransitionTime) ?? timeOf(p.metadata?.deletionTimestamp) ?? fallback;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders active pods so the ones to delete first come first (upstream's ActivePods):
 * unscheduled before scheduled, pending before running, not ready before ready,
 * more restarts first, newer before older.
 */
export function compareForRemoval(a: Pod, b: Pod): number {
  const scheduled = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const rank = (p: Pod): number => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const ready = (p: Pod): number => (isReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const restarts = (p: Pod): number => (p.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod): number => timeOf(p.metadata?.creationTimestamp)?.getTime() ?? 0;
  return created(b) - created(a);
}
