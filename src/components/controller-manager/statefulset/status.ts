/**
 * A StatefulSet's status from its pods (upstream computeReplicaStatus and completeRollingUpdate):
 * replicas counts created pods, readyReplicas those Running and Ready, availableReplicas those
 * ready for minReadySeconds; currentReplicas / updatedReplicas count live pods of each revision.
 * A finished RollingUpdate (every pod updated and ready) makes the update revision current.
 */
import type { StatefulSet, StatefulSetStatus } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { isTerminating } from '../podutil/readiness.js';
import { isCreated, isRunningAndAvailable, isRunningAndReady, podRevision } from './update.js';

export function computeStatus(
  set: StatefulSet,
  pods: Pod[],
  currentRevision: string,
  updateRevision: string,
  collisionCount: number,
  now: Date,
): StatefulSetStatus {
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision,
    updateRevision,
    collisionCount,
    conditions: set.status?.conditions ?? [],
  };
  for (const pod of pods) {
    if (isCreated(pod)) status.replicas! += 1;
    if (isRunningAndReady(pod)) {
      status.readyReplicas! += 1;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas! += 1;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = podRevision(pod);
      if (revision === currentRevision) status.currentReplicas! += 1;
      if (revision === updateRevision) status.updatedReplicas! += 1;
    }
  }
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** The fields the controller owns differ between the two statuses. */
export function statusChanged(a: StatefulSetStatus | undefined, b: StatefulSetStatus): boolean {
  const keys = [
    'observedGeneration',
    'replicas',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'availableReplicas',
    'currentRevision',
    'updateRevision',
    'collisionCount',
  ] as const;
  const norm = (v: unknown) => (v === undefined || v === 0 || v === '' ? '' : String(v));
  return keys.some((k) => norm(a?.[k]) !== norm(b[k]));
}
