/**
 * The Recreate strategy, as upstream's rolloutRecreate: scale every old ReplicaSet to zero,
 * wait until none of their pods runs, then create (or grow) the new ReplicaSet to
 * spec.replicas; once complete, clean up beyond revisionHistoryLimit.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { cleanupDeployment } from './cleanup.js';
import type { Deps } from './deps.js';
import { desiredReplicas } from './fenceposts.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { syncRolloutStatus } from './progress.js';
import { activeReplicaSets, actualReplicaCount, specReplicas } from './replica-sets.js';
import { scaleReplicaSetAndRecordEvent } from './scale.js';
import { deploymentComplete } from './status.js';

/** Pods by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(deps: Deps, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  let all: Array<ReplicaSet | undefined> = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    const [scaled] = await scaleReplicaSetAndRecordEvent(deps, rs, 0, d);
    scaledDown ||= scaled;
  }
  if (scaledDown) return syncRolloutStatus(deps, all, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(deps, all, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true));
    all = [...oldRSs, newRS];
  }
  if (newRS && specReplicas(newRS) !== desiredReplicas(d)) await scaleReplicaSetAndRecordEvent(deps, newRS, desiredReplicas(d), d);
  if (deploymentComplete(d, d.status ?? { conditions: [] })) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, all, newRS, d);
}

/** Whether old ReplicaSets still report pods, or any pod of theirs is not finished (oldPodsRunning). */
function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
