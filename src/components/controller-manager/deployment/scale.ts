/**
 * Scaling a Deployment's ReplicaSets, as upstream: one ReplicaSet to a size (with the
 * desired-replicas/max-replicas annotations brought up to date and a ScalingReplicaSet event
 * "Scaled up|down replica set NAME from OLD to NEW"), and the proportional scaling that
 * follows a change of spec.replicas in the middle of a rollout: the replicas to add or remove
 * are shared among the active ReplicaSets in proportion to their size, leftovers going to the
 * largest.
 */
import type { Deployment, ReplicaSet } from '../../../../gen/k8s/io/api/apps/v1/generated.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation, replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './annotations.js';
import { recordEvent, type Deps } from './deps.js';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts.js';
import { activeReplicaSets, byCreation, bySizeNewer, bySizeOlder, replicaCount, specReplicas } from './replica-sets.js';

/** Sets `rs` to `newScale` (and its replicas annotations); records the event when the size changed. Returns [scaled, the ReplicaSet now]. */
export async function scaleReplicaSet(deps: Deps, rs: ReplicaSet, newScale: number, d: Deployment, operation: 'up' | 'down' | ''): Promise<[boolean, ReplicaSet]> {
  const oldScale = specReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const desired = desiredReplicas(d);
  const max = desired + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
  const copy = structuredClone(rs);
  copy.spec!.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await deps.cs.appsV1.replicaSets.update(copy, { namespace: rs.metadata?.namespace });
  if (sizeNeedsUpdate) {
    const verb = operation === 'up' ? 'up' : 'down';
    recordEvent(deps, d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${updated.metadata?.name ?? ''} from ${oldScale} to ${newScale}`);
  }
  return [sizeNeedsUpdate, updated];
}

/** scaleReplicaSetAndRecordEvent: no write when the size is already `newScale`. */
export async function scaleReplicaSetAndRecordEvent(deps: Deps, rs: ReplicaSet, newScale: number, d: Deployment): Promise<[boolean, ReplicaSet]> {
  if (specReplicas(rs) === newScale) return [false, rs];
  return scaleReplicaSet(deps, rs, newScale, d, specReplicas(rs) < newScale ? 'up' : 'down');
}

/** The one active ReplicaSet, or the newest when none is active; undefined when several are (FindActiveOrLatest). */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet runs the whole Deployment, all available (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = desiredReplicas(d);
  return specReplicas(rs) === want && desiredReplicasAnnotation(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** How many replicas `rs` gains (or loses) of `toAdd` (GetProportion). */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Go's integer.RoundToInt32: halves away from zero. */
const roundToInt = (x: number): number => (x < 0 ? Math.trunc(x - 0.5) : Math.trunc(x + 0.5));

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const maxNow = desiredReplicas(d) + maxSurge(d);
  let before = maxReplicasAnnotation(rs);
  if (before === undefined || before === 0) before = d.status?.replicas ?? 0;
  const size = (specReplicas(rs) * maxNow) / before;
  return roundToInt(size) - specReplicas(rs);
}

/** A scaling event: some active ReplicaSet's desired-replicas annotation is not spec.replicas (isScalingEvent). */
export function isScalingEvent(d: Deployment, all: Array<ReplicaSet | undefined>): boolean {
  return activeReplicaSets(all).some((rs) => {
    const desired = desiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== desiredReplicas(d);
  });
}

/** Scales the Deployment's ReplicaSets to a new spec.replicas (upstream's scale). */
export async function scale(deps: Deps, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const want = desiredReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (specReplicas(single) === want) return;
    await scaleReplicaSetAndRecordEvent(deps, single, want, d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(deps, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  let operation: 'up' | 'down' | '' = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata?.name ?? '', specReplicas(rs) + p);
      added += p;
    } else sizes.set(rs.metadata?.name ?? '', specReplicas(rs));
  }
  for (let i = 0; i < all.length; i++) {
    const rs = all[i]!;
    const name = rs.metadata?.name ?? '';
    if (i === 0 && toAdd !== 0) sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
    await scaleReplicaSet(deps, rs, sizes.get(name) ?? 0, d, operation);
  }
}
