/** Pod readiness as controllers judge it (upstream podutil.IsPodReady / IsPodAvailable). */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** The pod has been ready for at least `minReadySeconds` at `now`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readyCondition(pod)?.lastTransitionTime?.seconds;
  if (since === undefined) return false;
  return since * 1000 + minReadySeconds * 1000 <= now.getTime();
}

/** Milliseconds until a ready pod becomes available (0 when it already is or is not ready). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number {
  const since = readyCondition(pod)?.lastTransitionTime?.seconds;
  if (!isPodReady(pod) || minReadySeconds <= 0 || since === undefined) return 0;
  return Math.max(0, since * 1000 + minReadySeconds * 1000 - now.getTime());
}

/** The pod is being deleted. */
export function isTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

/** Creation time in ms (0 when unknown). */
export function createdAt(pod: Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}
