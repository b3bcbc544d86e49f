/**
 * The RollingUpdate strategy, as upstream's rolloutRolling: first grow the new ReplicaSet as
 * far as maxSurge allows; failing that, shrink old ReplicaSets as far as maxUnavailable
 * allows (their unavailable pods first, then the oldest ReplicaSets first); once complete,
 * clean up old ReplicaSets beyond revisionHistoryLimit. Every pass ends with the rollout status.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { cleanupDeployment } from './cleanup.js';
import type { Deps } from './deps.js';
import { desiredReplicas, maxUnavailable } from './fenceposts.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { syncRolloutStatus } from './progress.js';
import { activeReplicaSets, availableReplicaCount, byCreation, replicaCount, specReplicas } from './replica-sets.js';
import { newRSNewReplicas } from './rolling-math.js';
import { scaleReplicaSetAndRecordEvent } from './scale.js';
import { deploymentComplete } from './status.js';

export async function rolloutRolling(deps: Deps, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  const all = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(deps, all, newRS!, d)) return syncRolloutStatus(deps, all, newRS, d);
  if (await reconcileOldReplicaSets(deps, all, activeReplicaSets(oldRSs), newRS!, d)) return syncRolloutStatus(deps, all, newRS, d);
  if (deploymentComplete(d, d.status ?? { conditions: [] })) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, all, newRS, d);
}

async function reconcileNewReplicaSet(deps: Deps, all: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const want = desiredReplicas(d);
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return (await scaleReplicaSetAndRecordEvent(deps, newRS, want, d))[0];
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, newRSNewReplicas(d, all, newRS), d))[0];
}

async function reconcileOldReplicaSets(deps: Deps, all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const [cleaned, cleanupCount] = await cleanupUnhealthyReplicas(deps, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(deps, [...cleaned, newRS], cleaned, d);
  return cleanupCount + scaledDown > 0;
}

/** Scales down old ReplicaSets' unavailable pods first, at most `maxCleanup` in all (cleanupUnhealthyReplicas). */
async function cleanupUnhealthyReplicas(deps: Deps, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<[ReplicaSet[], number]> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i]!;
    if (total >= maxCleanup) break;
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    const [, updated] = await scaleReplicaSetAndRecordEvent(deps, rs, replicas - count, d);
    total += count;
    sorted[i] = updated;
  }
  return [sorted, total];
}

/** Scales down old ReplicaSets, oldest first, while more than minAvailable pods are available. */
async function scaleDownOldReplicaSetsForRollingUpdate(deps: Deps, all: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(all);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= toScaleDown) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), toScaleDown - total);
    await scaleReplicaSetAndRecordEvent(deps, rs, specReplicas(rs) - count, d);
    total += count;
  }
  return total;
}
