/**
 * Pod facts the replica controllers count by, as upstream's podutil: active (not finished,
 * not being deleted), Ready (the Ready condition is True), available (Ready for at least
 * minReadySeconds).
 */
import type { Pod, PodCondition } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { timeOf } from '../../../client/index.js';

/** Neither Succeeded nor Failed, and not being deleted (upstream's IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !hasDeletionTimestamp(pod);
}

/** Whether the object carries a deletion timestamp. */
export function hasDeletionTimestamp(obj: { metadata?: { deletionTimestamp?: { seconds?: number } | undefined } | undefined }): boolean {
  const ts = obj.metadata?.deletionTimestamp;
  return ts !== undefined && ts !== null && (ts.seconds ?? 0) !== 0;
}

/** The pod's Ready condition, if any. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Whether the pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (its Ready condition's lastTransitionTime), if it is Ready. */
export function podReadyTime(pod: Pod): Date | undefined {
  if (!isPodReady(pod)) return undefined;
  const t = timeOf(podReadyCondition(pod)?.lastTransitionTime);
  return t && t.getTime() > 0 ? t : undefined;
}

/** Ready, and Ready for longer than minReadySeconds (any Ready pod when it is 0). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeOf(podReadyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since.getTime() > 0 && since.getTime() + minReadySeconds * 1000 < now.getTime();
}

/** Creation time in milliseconds (0 when unset). */
export function creationMs(obj: { metadata?: { creationTimestamp?: { seconds?: number; nanos?: number } | undefined } | undefined }): number {
  return timeOf(obj.metadata?.creationTimestamp)?.getTime() ?? 0;
}
