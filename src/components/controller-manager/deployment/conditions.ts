/**
 * Deployment conditions, as upstream's deployment util: `Available` (MinimumReplicasAvailable /
 * MinimumReplicasUnavailable), `Progressing` (NewReplicaSetCreated, FoundNewReplicaSet,
 * ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
 * DeploymentResumed, ReplicaSetCreateError) and `ReplicaFailure`. Setting a condition whose
 * status and reason are unchanged keeps it as it is; a changed reason with the same status
 * keeps lastTransitionTime.
 */
import type { DeploymentCondition, DeploymentStatus } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { toTime } from '../../../client/index.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

export const REASON = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newRS: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
} as const;

/** A condition stamped now (NewDeploymentCondition). */
export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now = new Date()): DeploymentCondition {
  return { type, status, lastUpdateTime: toTime(now), lastTransitionTime: toTime(now), reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: mutates `status`. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type ?? '');
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

/** RemoveDeploymentCondition: mutates `status`. */
export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}
