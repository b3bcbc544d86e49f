/**
 * Writing the Deployment's status after a sync step, as upstream's syncRolloutStatus /
 * syncDeploymentStatus / checkPausedConditions. A status that did not change is not written;
 * a rollout in progress whose deadline has not passed is looked at again when it would
 * (requeueStuckDeployment), so ProgressDeadlineExceeded is reported on time.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { keyOf, timeOf } from '../../../client/index.js';
import { getCondition, newCondition, PROGRESSING, REASON, setCondition } from './conditions.js';
import type { Deps } from './deps.js';
import { calculateStatus, deploymentComplete, hasProgressDeadline, rolloutStatus, sameStatus } from './status.js';
import { writeStatus } from './write.js';

/** The rollout status with Progressing conditions; written when changed, else the Deployment is requeued if stuck. */
export async function syncRolloutStatus(deps: Deps, all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = rolloutStatus(all, newRS, d);
  if (sameStatus(d.status, status)) {
    requeueStuckDeployment(deps, d, status);
    return;
  }
  await writeStatus(deps, d, status);
}

/** The counts and Available condition only (syncDeploymentStatus: paused, scaling, being deleted). */
export async function syncDeploymentStatus(deps: Deps, all: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const status = calculateStatus(all, newRS, d);
  if (sameStatus(d.status, status)) return;
  await writeStatus(deps, d, status);
}

/** Progressing says DeploymentPaused / DeploymentResumed as spec.paused changes (checkPausedConditions). */
export async function checkPausedConditions(deps: Deps, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const c = getCondition(d.status, PROGRESSING);
  if (c?.reason === REASON.timedOut) return;
  const pausedCond = c?.reason === REASON.paused;
  const status = structuredClone(d.status ?? { conditions: [] });
  if (d.spec?.paused && !pausedCond) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused'));
  else if (!d.spec?.paused && pausedCond) setCondition(status, newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed'));
  else return;
  await writeStatus(deps, d, status);
}

/** Requeues a rollout that made no progress for when its deadline passes; returns the delay in ms (-1: not requeued). */
export function requeueStuckDeployment(deps: Deps, d: Deployment, status: ReturnType<typeof rolloutStatus>): number {
  const c = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !c) return -1;
  if (deploymentComplete(d, status) || c.reason === REASON.timedOut) return -1;
  const last = timeOf(c.lastUpdateTime)?.getTime() ?? 0;
  const after = last + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - Date.now();
  if (after < 1000) {
    deps.queue.addRateLimited(keyOf(d));
    return 0;
  }
  deps.queue.addAfter(keyOf(d), after + 1000);
  return after;
}
