/**
 * Old ReplicaSets beyond revisionHistoryLimit are deleted, lowest revision first, as upstream's
 * cleanupDeployment: only those scaled to zero, with no pods, whose status has caught up with
 * their generation and that are not already being deleted.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { hasDeletionTimestamp } from '../replicaset/pods.js';
import { reasonOf } from '../replicaset/errors.js';
import type { Deps } from './deps.js';
import { byRevision, specReplicas } from './replica-sets.js';

export async function cleanupDeployment(deps: Deps, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !hasDeletionTimestamp(rs));
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await deps.cs.appsV1.replicaSets.delete(rs.metadata?.name ?? '', { namespace: rs.metadata?.namespace });
    } catch (err) {
      if (reasonOf(err) !== 'NotFound') throw err;
    }
  }
}
