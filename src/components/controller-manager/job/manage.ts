/**
 * Keeping the right number of pods running (upstream's manageJob): a suspended Job has its
 * active pods deleted; otherwise the Job wants min(parallelism, completions − succeeded)
 * active pods (parallelism while nothing succeeded, for a Job without completions), deletes
 * extras first (and, for Indexed Jobs, pods with a duplicate, finished or invalid index), and
 * creates the missing ones in slow-start batches once the failure back-off has passed.
 */
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { remainingBackoffMs } from './backoff.js';
import { firstPendingIndexes } from './completed-indexes.js';
import type { JobDeps } from './deps.js';
import { MAX_POD_CREATE_DELETE_PER_SYNC, SLOW_START_INITIAL_BATCH_SIZE } from './names.js';
import { createPod, deletePod, removeTrackingFinalizer } from './pod-control.js';
import { compareForRemoval, completionIndex, isReady, UNKNOWN_INDEX } from './pod-state.js';
import { podForJob } from './pod-template.js';
import { isIndexed, isSuspended, type SyncContext } from './sync-context.js';

/** Result of deleting pods: how many went (ready ones among them) and the first error. */
export interface Deleted {
  deleted: number;
  deletedReady: number;
  error?: unknown;
}

/** Deletes `pods`, keeping their finalizers (counted once they are gone). */
export async function deleteActivePods(d: JobDeps, ctx: SyncContext, pods: readonly Pod[]): Promise<Deleted> {
  const results = await Promise.allSettled(pods.map((p) => deletePod(d, ctx.job, p)));
  return tally(pods, results);
}

/** Removes the finalizer of each pod, then deletes it (upstream's deleteJobPods). */
async function deleteJobPods(d: JobDeps, ctx: SyncContext, pods: readonly Pod[]): Promise<Deleted> {
  d.expectations.expectDeletions(ctx.key, pods.length);
  const results = await Promise.allSettled(
    pods.map(async (p) => {
      try {
        await removeTrackingFinalizer(d, p);
        await deletePod(d, ctx.job, p);
      } catch (err) {
        d.expectations.deletionObserved(ctx.key);
        throw err;
      }
    }),
  );
  return tally(pods, results);
}

function tally(pods: readonly Pod[], results: PromiseSettledResult<void>[]): Deleted {
  const out: Deleted = { deleted: 0, deletedReady: 0 };
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      out.error ??= r.reason;
      return;
    }
    out.deleted++;
    if (isReady(pods[i])) out.deletedReady++;
  });
  return out;
}

/** Active pods to remove: at least `rmAtLeast`, plus an Indexed Job's pods with bad or repeated indexes. */
function podsForRemoval(ctx: SyncContext, rmAtLeast: number): Pod[] {
  const rm: Pod[] = [];
  let left = [...ctx.activePods];
  if (isIndexed(ctx.job)) {
    const completions = ctx.job.spec?.completions ?? 0;
    const byIndex = new Map<number, Pod[]>();
    left = [];
    for (const p of ctx.activePods) {
      const ix = completionIndex(p);
      if (ix === UNKNOWN_INDEX || ix >= completions || ctx.succeededIndexes.has(ix)) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const group of byIndex.values()) {
      // Keep the most advanced pod of an index; the rest are duplicates.
      group.sort(compareForRemoval);
      rm.push(...group.slice(0, -1));
      left.push(group[group.length - 1]);
    }
  }
  if (rm.length < rmAtLeast) {
    left.sort(compareForRemoval);
    rm.push(...left.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

/** Creates or deletes pods as the Job needs; returns the resulting active count and the first error. */
export async function manageJob(d: JobDeps, ctx: SyncContext): Promise<{ active: number; error?: unknown }> {
  const job = ctx.job;
  let active = ctx.activePods.length;
  const parallelism = job.spec?.parallelism ?? 1;
  if (isSuspended(job)) {
    const r = await deleteJobPods(d, ctx, podsForRemoval(ctx, active));
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }

  const completions = job.spec?.completions;
  let wantActive: number;
  if (completions === undefined) wantActive = ctx.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));

  const toDelete = podsForRemoval(ctx, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (toDelete.length > 0) {
    const r = await deleteJobPods(d, ctx, toDelete);
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }

  const terminating = ctx.onlyReplaceFailed ? ctx.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return { active };
  const wait = remainingBackoffMs(ctx.newBackoff, d.clock.now());
  if (wait > 0) {
    d.queue.addAfter(ctx.key, wait);
    return { active: 0 };
  }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
  let indexes: number[] = [];
  if (isIndexed(job)) {
    const taken = new Set(ctx.activePods.map(completionIndex));
    indexes = firstPendingIndexes(ctx.succeededIndexes, taken, diff, completions ?? 0);
    diff = indexes.length;
  }

  d.expectations.expectCreations(ctx.key, diff);
  active += diff;
  let error: unknown;
  for (let batch = Math.min(diff, SLOW_START_INITIAL_BATCH_SIZE); diff > 0; batch = Math.min(2 * batch, diff)) {
    const these = isIndexed(job) ? indexes.splice(0, batch) : Array.from({ length: batch }, () => UNKNOWN_INDEX);
    const results = await Promise.allSettled(these.map((ix) => createPod(d, job, podForJob(job, d.cs.batchV1.jobs.facts, ix))));
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) {
      d.expectations.creationObserved(ctx.key);
      active--;
      error ??= (f as PromiseRejectedResult).reason;
    }
    diff -= batch;
    if (failed.length > 0 && diff > 0) {
      // Slow start: after a failed batch the rest waits for the next sync.
      for (let i = 0; i < diff; i++) d.expectations.creationObserved(ctx.key);
      active -= diff;
      break;
    }
  }
  return { active, error };
}
