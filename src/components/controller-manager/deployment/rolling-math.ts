/** How big the new ReplicaSet may be now (upstream's NewRSNewReplicas). */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { desiredReplicas, maxSurge } from './fenceposts.js';
import { podUpperBound, specReplicas } from './replica-sets.js';

/**
 * RollingUpdate: grow toward spec.replicas while the pods of all ReplicaSets stay within
 * spec.replicas + maxSurge (counted as podUpperBound, see there); Recreate: spec.replicas.
 */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  const want = desiredReplicas(d);
  const type = d.spec?.strategy?.type ?? 'RollingUpdate';
  if (type === 'Recreate') return want;
  if (type !== 'RollingUpdate') throw new Error(`deployment type ${type} isn't supported`);
  const maxTotal = want + maxSurge(d);
  const current = podUpperBound(all);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, want - specReplicas(newRS));
  return specReplicas(newRS) + up;
}
