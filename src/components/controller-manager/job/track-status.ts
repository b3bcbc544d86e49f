/**
 * Counting finished pods exactly once (upstream's trackJobStatusAndRemoveFinalizers): a
 * finished pod's uid goes into status.uncountedTerminatedPods first, then its job-tracking
 * finalizer is removed, then the uid moves into the succeeded/failed counters. The interim
 * conditions (`SuccessCriteriaMet`, `FailureTarget`) are written before any finalizer is
 * removed; the terminal one (`Complete` with completionTime, or `Failed`) once nothing is
 * left uncounted and no pod is terminating, with the `Completed` or failure Event.
 */
import type { Job, JobStatus } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { objectReference, toTime } from '../../../client/index.js';
import { formatIndexes } from './completed-indexes.js';
import { ensureConditionStatus, newCondition, successCriteriaMet } from './conditions.js';
import type { JobDeps } from './deps.js';
import {
  JOB_COMPLETE,
  JOB_FAILED,
  JOB_FAILURE_TARGET,
  JOB_SUCCESS_CRITERIA_MET,
  MAX_UNCOUNTED_PODS,
} from './names.js';
import { removeTrackingFinalizer } from './pod-control.js';
import { completionIndex, hasTrackingFinalizer, isPodFailed, UNKNOWN_INDEX } from './pod-state.js';
import { isIndexed, type SyncContext } from './sync-context.js';

function uncounted(status: JobStatus): { succeeded: string[]; failed: string[] } {
  status.uncountedTerminatedPods ??= { succeeded: [], failed: [] };
  return status.uncountedTerminatedPods;
}

/** Moves uids whose pods lost their finalizer from the uncounted lists to the counters. */
function cleanUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const u = uncounted(status);
  let changed = false;
  const keptSucceeded = u.succeeded.filter((uid) => withFinalizer.has(uid));
  if (keptSucceeded.length !== u.succeeded.length) {
    status.succeeded = (status.succeeded ?? 0) + u.succeeded.length - keptSucceeded.length;
    u.succeeded = keptSucceeded;
    changed = true;
  }
  const keptFailed = u.failed.filter((uid) => withFinalizer.has(uid));
  if (keptFailed.length !== u.failed.length) {
    status.failed = (status.failed ?? 0) + u.failed.length - keptFailed.length;
    u.failed = keptFailed;
    changed = true;
  }
  return changed;
}

async function writeStatus(d: JobDeps, ctx: SyncContext): Promise<void> {
  const updated = await d.cs.batchV1.jobs.updateStatus(ctx.job, { namespace: ctx.job.metadata?.namespace });
  // Keep our counters and lists; take the new resourceVersion for the next write.
  ctx.job = { ...ctx.job, metadata: updated.metadata };
}

export async function trackStatusAndRemoveFinalizers(d: JobDeps, ctx: SyncContext, needsFlushIn: boolean): Promise<void> {
  let needsFlush = needsFlushIn;
  const job = ctx.job;
  const status = (job.status ??= { conditions: [] });
  const u = uncounted(status);
  const indexed = isIndexed(job);
  const completions = job.spec?.completions ?? 0;
  const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;

  const withFinalizer = new Set<string>();
  for (const p of pods) {
    const uid = p.metadata?.uid ?? '';
    if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(uid)) withFinalizer.add(uid);
  }
  if (cleanUncounted(status, withFinalizer)) needsFlush = true;

  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  const jobEnding = ctx.finishedCondition !== undefined && ctx.finishedCondition.type !== JOB_SUCCESS_CRITERIA_MET;
  for (const p of pods) {
    const uid = p.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(p) || ctx.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(p, ctx.onlyReplaceFailed);
    const canRemove = job.metadata?.deletionTimestamp !== undefined || ctx.finishedCondition !== undefined || p.status?.phase === 'Succeeded' || failed;
    if (!canRemove) continue;
    toRemove.push(p);
    if (p.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
      if (indexed) {
        const ix = completionIndex(p);
        if (ix !== UNKNOWN_INDEX && ix < completions && !ctx.prevSucceededIndexes.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!ctx.uncountedSucceeded.has(uid) && !u.succeeded.includes(uid)) {
        u.succeeded.push(uid);
        needsFlush = true;
      }
    } else if (failed || jobEnding) {
      // Once the Job is ending, every pod not finished counts as failed.
      const ix = completionIndex(p);
      if (!ctx.uncountedFailed.has(uid) && !u.failed.includes(uid) && (!indexed || (ix !== UNKNOWN_INDEX && ix < completions))) {
        u.failed.push(uid);
        needsFlush = true;
      }
    }
    if (newSucceededIndexes.length + u.succeeded.length + u.failed.length >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }

  if (indexed) {
    for (const ix of newSucceededIndexes) ctx.succeededIndexes.add(ix);
    const text = formatIndexes(ctx.succeededIndexes);
    if (text !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = ctx.succeededIndexes.size;
    status.completedIndexes = text;
  }

  const now = d.clock.now();
  if (ctx.finishedCondition?.type === JOB_FAILURE_TARGET) {
    status.conditions.push(ctx.finishedCondition);
    needsFlush = true;
    ctx.finishedCondition = newCondition(JOB_FAILED, 'True', ctx.finishedCondition.reason ?? '', ctx.finishedCondition.message ?? '', now);
  }
  if (ctx.finishedCondition?.type === JOB_SUCCESS_CRITERIA_MET) {
    if (!successCriteriaMet(job)) {
      status.conditions.push(ctx.finishedCondition);
      needsFlush = true;
    }
    ctx.finishedCondition = newCondition(JOB_COMPLETE, 'True', ctx.finishedCondition.reason ?? '', ctx.finishedCondition.message ?? '', now);
  }

  // 1. Flush the uids (and interim conditions) before touching any finalizer.
  if (needsFlush) {
    await writeStatus(d, ctx);
    d.backoff.save(ctx.newBackoff);
    needsFlush = false;
  }
  // 2. Remove finalizers; 3. count the pods whose finalizer went.
  let rmError: unknown;
  if (toRemove.length > 0) {
    d.expectations.expectFinalizersRemoved(ctx.key, toRemove.map((p) => p.metadata?.uid ?? ''));
    const results = await Promise.allSettled(toRemove.map((p) => removeTrackingFinalizer(d, p)));
    results.forEach((r, i) => {
      const uid = toRemove[i].metadata?.uid ?? '';
      if (r.status === 'fulfilled') withFinalizer.delete(uid);
      else {
        d.expectations.finalizerRemovalObserved(ctx.key, uid);
        rmError ??= r.reason;
      }
    });
  }
  if (cleanUncounted(ctx.job.status ?? status, withFinalizer)) needsFlush = true;
  if (rmError !== undefined) {
    if (needsFlush) await writeStatus(d, ctx);
    throw rmError;
  }

  const finished = !reachedMax && enactFinished(ctx, now);
  if (finished) needsFlush = true;
  if (needsFlush) {
    await writeStatus(d, ctx);
    if (finished) recordFinished(d, ctx.job, ctx);
  }
}

/** Adds the terminal condition once nothing is uncounted or terminating; returns whether it did. */
function enactFinished(ctx: SyncContext, now: Date): boolean {
  const cond = ctx.finishedCondition;
  if (!cond) return false;
  const status = (ctx.job.status ??= { conditions: [] });
  const u = uncounted(status);
  if (u.succeeded.length + u.failed.length > 0) return false;
  if (ctx.terminating > 0) return false;
  ensureConditionStatus(status.conditions, cond.type ?? '', 'True', cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === JOB_COMPLETE) status.completionTime = toTime(now);
  return true;
}

function recordFinished(d: JobDeps, job: Job, ctx: SyncContext): void {
  const ref = objectReference(d.cs.batchV1.jobs, job);
  const cond = ctx.finishedCondition;
  if (cond?.type === JOB_COMPLETE) {
    const completions = job.spec?.completions;
    if (completions !== undefined && (job.status?.succeeded ?? 0) > completions) {
      d.recorder.event(ref, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    d.recorder.event(ref, 'Normal', 'Completed', 'Job completed');
  } else if (cond) {
    d.recorder.event(ref, 'Warning', cond.reason ?? '', cond.message ?? '');
  }
}
