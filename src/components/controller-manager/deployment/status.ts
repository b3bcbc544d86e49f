/**
 * A Deployment's status, as upstream's calculateStatus and syncRolloutStatus: replicas,
 * updatedReplicas (of the new ReplicaSet), ready, available and unavailable counts over its
 * ReplicaSets, observedGeneration, collisionCount kept; Available is True when at least
 * spec.replicas - maxUnavailable pods are available. During a rollout Progressing says
 * ReplicaSetUpdated while it moves, NewReplicaSetAvailable once complete, and
 * ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { timeOf } from '../../../client/index.js';
import { AVAILABLE, getCondition, newCondition, PROGRESSING, REASON, removeCondition, REPLICA_FAILURE, setCondition } from './conditions.js';
import { desiredReplicas, maxUnavailable } from './fenceposts.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-sets.js';

/** A progress deadline of MaxInt32 means none (HasProgressDeadline). */
export const hasProgressDeadline = (d: Deployment): boolean => d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** The status the Deployment has given its ReplicaSets (calculateStatus). */
export function calculateStatus(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
  const available = availableReplicaCount(all);
  const total = replicaCount(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: actualReplicaCount(all),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', REASON.minimumReplicasAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', REASON.minimumReplicasUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** Every pod updated, counted and available, for the current generation (DeploymentComplete). */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Whether the new status shows progress over the stored one (DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? { conditions: [] };
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** Whether the rollout has made no progress for progressDeadlineSeconds (DeploymentTimedOut). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now = new Date()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, PROGRESSING);
  if (!c) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = timeOf(c.lastUpdateTime)?.getTime() ?? 0;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

/** The rollout status (syncRolloutStatus without the write): counts plus Progressing and ReplicaFailure. */
export function rolloutStatus(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
  const s = calculateStatus(all, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(s, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const complete = s.replicas === s.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = d.metadata?.name ?? '';
    if (deploymentComplete(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name ?? ''}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(s, newCondition(PROGRESSING, 'True', REASON.newRSAvailable, msg));
    } else if (deploymentProgressing(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name ?? ''}" is progressing.` : `Deployment "${name}" is progressing.`;
      const c = newCondition(PROGRESSING, 'True', REASON.rsUpdated, msg);
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, PROGRESSING);
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name ?? ''}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(s, newCondition(PROGRESSING, 'False', REASON.timedOut, msg));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) setCondition(s, failure);
  else removeCondition(s, REPLICA_FAILURE);
  return s;
}

/** The ReplicaFailure condition of the new ReplicaSet, else of an old one (getReplicaFailures). */
function replicaFailure(all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): ReturnType<typeof newCondition> | undefined {
  const from = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const c = from(newRS) ?? all.map(from).find((x) => x !== undefined);
  if (!c) return undefined;
  return { type: REPLICA_FAILURE, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

/** Whether two statuses are the same (reflect.DeepEqual on the status). */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) =>
    JSON.stringify({
      observedGeneration: s?.observedGeneration ?? 0,
      replicas: s?.replicas ?? 0,
      updatedReplicas: s?.updatedReplicas ?? 0,
      readyReplicas: s?.readyReplicas ?? 0,
      availableReplicas: s?.availableReplicas ?? 0,
      unavailableReplicas: s?.unavailableReplicas ?? 0,
      collisionCount: s?.collisionCount ?? null,
      conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime?.seconds ?? 0, c.lastTransitionTime?.seconds ?? 0]),
    });
  return norm(a) === norm(b);
}
