/**
 * What a delete does to one stored object, decided without storage (upstream's
 * BeforeDelete, deletionFinalizersForGarbageCollection and markAsDeleting):
 *
 * - graceful kinds (a definition with `gracePeriod`) get deletionTimestamp = now + period
 *   and deletionGracePeriodSeconds; a later delete may only shorten the period;
 * - the propagation policy (request, else the object's own GC finalizer, else the kind's
 *   default for the request's version) sets the `orphan` or `foregroundDeletion`
 *   finalizer for the garbage collector;
 * - an object with finalizers is marked (deletionTimestamp now, grace 0) and kept.
 */
import { type KubeObject, cloneObject } from '../../machinery/meta/object.js';
import type { GarbageCollectionPolicy } from '../rest/definition.js';
import type { DeleteQuery } from '../rest/resource-store.js';
import type { ServedResource } from '../rest/served.js';

/** The finalizer that makes the collector orphan dependents before the owner goes. */
export const ORPHAN_FINALIZER = 'orphan';
/** The finalizer that makes the collector delete (blocking) dependents before the owner goes. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** The outcome of planning a delete. */
export type DeletePlan =
  /** A graceful deletion is already running and the request does not shorten it. */
  | { action: 'pending' }
  /** Nothing keeps the object: remove it. */
  | { action: 'now' }
  /** Store `object` (marked for deletion); `keep` false: then remove it (a zero grace period). */
  | { action: 'update'; object: KubeObject; keep: boolean };

/** The kind's default policy for the request's version. */
export function defaultPolicy(def: ServedResource, dopts: DeleteQuery): GarbageCollectionPolicy {
  return def.garbageCollectionPolicy?.(dopts.requestVersion ?? def.version) ?? 'DeleteDependents';
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Plans the delete of `current` (not modified) at time `now` (ms). */
export function planDelete(def: ServedResource, current: KubeObject, dopts: DeleteQuery, now: number): DeletePlan {
  const obj = cloneObject(current);
  const meta = (obj.metadata ??= {});
  // Negative periods count as one second on the delete path.
  let grace = dopts.gracePeriodSeconds !== undefined && dopts.gracePeriodSeconds < 0 ? 1 : dopts.gracePeriodSeconds;
  if (typeof meta.deletionGracePeriodSeconds === 'number' && meta.deletionGracePeriodSeconds < 0) meta.deletionGracePeriodSeconds = 1;

  let graceful = false;
  if (def.gracePeriod) {
    const running = meta.deletionGracePeriodSeconds;
    if (meta.deletionTimestamp) {
      // Already deleting: only a shorter period changes anything; none left means go now.
      if (running) {
        if (grace === undefined || grace >= running) return { action: 'pending' };
        const start = Date.parse(meta.deletionTimestamp) - running * 1000;
        meta.deletionTimestamp = rfc3339(start + grace * 1000);
        meta.deletionGracePeriodSeconds = grace;
        graceful = true;
      }
    } else {
      grace = def.gracePeriod(obj, grace);
      if (grace < 0) grace = 1;
      meta.deletionTimestamp = rfc3339(now + grace * 1000);
      meta.deletionGracePeriodSeconds = grace;
      if (typeof meta.generation === 'number' && meta.generation > 0) meta.generation += 1;
      graceful = true;
    }
  }

  const finalizers = gcFinalizers(def, meta.finalizers ?? [], dopts);
  const finalizersChanged = finalizers !== undefined;
  if (finalizers) {
    if (finalizers.length) meta.finalizers = finalizers;
    else delete meta.finalizers;
  }
  const pendingFinalizers = (meta.finalizers?.length ?? 0) > 0;
  // A kind that keeps objects its own way while something is left to finalize (namespaces).
  const keptByKind = !graceful && def.gracefulDelete ? def.gracefulDelete(obj) : false;
  if (!graceful && !pendingFinalizers && !finalizersChanged && !keptByKind) return { action: 'now' };
  if (!graceful) {
    if (pendingFinalizers) {
      markAsDeleting(meta, now);
      return { action: 'update', object: obj, keep: true };
    }
    if (keptByKind) return { action: 'update', object: obj, keep: true };
    return { action: 'now' };
  }
  return { action: 'update', object: obj, keep: pendingFinalizers || (grace ?? 0) > 0 };
}

/** Upstream's markAsDeleting: deletionTimestamp no later than now, grace 0, generation bumped once. */
function markAsDeleting(meta: NonNullable<KubeObject['metadata']>, now: number): void {
  if (!meta.deletionTimestamp && typeof meta.generation === 'number' && meta.generation > 0) meta.generation += 1;
  if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > now) meta.deletionTimestamp = rfc3339(now);
  meta.deletionGracePeriodSeconds = 0;
}

/**
 * The finalizers after applying the propagation policy, or undefined when they stay as
 * they are (compared as sets, as upstream).
 */
function gcFinalizers(def: ServedResource, current: string[], dopts: DeleteQuery): string[] | undefined {
  const policy = defaultPolicy(def, dopts);
  if (policy === 'Unsupported') return undefined;
  const orphan = shouldOrphan(policy, current, dopts);
  const foreground = shouldForeground(current, dopts);
  const next = current.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) next.push(ORPHAN_FINALIZER);
  if (foreground) next.push(FOREGROUND_FINALIZER);
  const before = new Set(current);
  const after = new Set(next);
  if (before.size === after.size && [...before].every((f) => after.has(f))) return undefined;
  return next;
}

function shouldOrphan(policy: GarbageCollectionPolicy, finalizers: string[], dopts: DeleteQuery): boolean {
  if (dopts.orphanDependents !== undefined) return dopts.orphanDependents;
  if (dopts.propagationPolicy === 'Orphan') return true;
  if (dopts.propagationPolicy === 'Background' || dopts.propagationPolicy === 'Foreground') return false;
  for (const f of finalizers) {
    if (f === ORPHAN_FINALIZER) return true;
    if (f === FOREGROUND_FINALIZER) return false;
  }
  return policy === 'OrphanDependents';
}

function shouldForeground(finalizers: string[], dopts: DeleteQuery): boolean {
  if (dopts.orphanDependents !== undefined) return false;
  if (dopts.propagationPolicy === 'Foreground') return true;
  if (dopts.propagationPolicy === 'Background' || dopts.propagationPolicy === 'Orphan') return false;
  for (const f of finalizers) {
    if (f === FOREGROUND_FINALIZER) return true;
    if (f === ORPHAN_FINALIZER) return false;
  }
  return false;
}

/**
 * Whether the stored object must stay: it has finalizers, a grace period still runs, or
 * its kind keeps it (a namespace with spec.finalizers).
 */
export function mustKeep(def: ServedResource, obj: KubeObject): boolean {
  const meta = obj.metadata ?? {};
  if (meta.finalizers?.length) return true;
  if (def.gracePeriod && meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) > 0) return true;
  return def.gracefulDelete ? def.gracefulDelete(cloneObject(obj)) : false;
}
