/**
 * One Job sync (upstream's syncJob): count the Job's pods, decide whether it has failed
 * (backoffLimit, activeDeadlineSeconds) or succeeded (completions), otherwise keep the wanted
 * pods running (or none while suspended, with the `Suspended` condition and Events), then
 * write status and remove finalizers through trackStatusAndRemoveFinalizers.
 */
import type { Job, JobCondition } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../../../gen/k8s/io/api/core/v1/pod.js';
import { objectReference, splitKey, timeOf, toTime } from '../../../client/index.js';
import { parseIndexes } from './completed-indexes.js';
import { ensureConditionStatus, findCondition, isJobFinished, newCondition, successCriteriaMet } from './conditions.js';
import { claimPods } from './claim-pods.js';
import type { JobDeps } from './deps.js';
import { deleteActivePods, manageJob } from './manage.js';
import {
  JOB_CONTROLLER_NAME,
  JOB_FAILED,
  JOB_FAILURE_TARGET,
  JOB_SUCCESS_CRITERIA_MET,
  JOB_SUSPENDED,
  MESSAGE_BACKOFF_LIMIT_EXCEEDED,
  MESSAGE_DEADLINE_EXCEEDED,
  REASON_BACKOFF_LIMIT_EXCEEDED,
  REASON_DEADLINE_EXCEEDED,
} from './names.js';
import { completionIndex, hasTrackingFinalizer, isActive, isPodFailed, isReady, isTerminating, UNKNOWN_INDEX } from './pod-state.js';
import { isIndexed, isSuspended, type SyncContext } from './sync-context.js';
import { trackStatusAndRemoveFinalizers } from './track-status.js';

/** Reason and message of the success condition (JobSuccessPolicy is GA in 1.33). */
const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
const MESSAGE_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';

/** Finished pods still carrying the finalizer and not yet in the uncounted lists. */
function newFinishedPods(ctx: SyncContext): { succeeded: Pod[]; failed: Pod[] } {
  const completions = ctx.job.spec?.completions ?? 0;
  const valid = (p: Pod, uncounted: ReadonlySet<string>): boolean => {
    const uid = p.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || ctx.expectedRmFinalizers.has(uid)) return false;
    if (!isIndexed(ctx.job)) return true;
    const ix = completionIndex(p);
    return ix !== UNKNOWN_INDEX && ix < completions;
  };
  return {
    succeeded: ctx.pods.filter((p) => valid(p, ctx.uncountedSucceeded) && p.status?.phase === 'Succeeded'),
    failed: ctx.pods.filter((p) => valid(p, ctx.uncountedFailed) && isPodFailed(p, ctx.onlyReplaceFailed)),
  };
}

/** With restartPolicy OnFailure: whether container restarts of running pods reached backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds left before activeDeadlineSeconds, or undefined when there is no deadline running. */
function deadlineRemainingMs(job: Job, now: Date): number | undefined {
  const seconds = job.spec?.activeDeadlineSeconds;
  const start = timeOf(job.status?.startTime);
  if (seconds === undefined || !start || isSuspended(job)) return undefined;
  return seconds * 1000 - (now.getTime() - start.getTime());
}

/** Succeeded indexes: those already in status plus succeeded pods still holding their finalizer. */
function succeededIndexes(job: Job, pods: readonly Pod[]): { prev: Set<number>; all: Set<number> } {
  const completions = job.spec?.completions ?? 0;
  const prev = parseIndexes(job.status?.completedIndexes, completions);
  const all = new Set(prev);
  for (const p of pods) {
    if (p.status?.phase !== 'Succeeded' || !hasTrackingFinalizer(p)) continue;
    const ix = completionIndex(p);
    if (ix !== UNKNOWN_INDEX && ix < completions) all.add(ix);
  }
  return { prev, all };
}

export async function syncJob(d: JobDeps, key: string): Promise<void> {
  const [ns, name] = splitKey(key);
  const cached = d.jobs.lister().get(ns, name);
  if (!cached) {
    d.expectations.forget(key);
    d.backoff.remove(key);
    return;
  }
  const managedBy = cached.spec?.managedBy;
  if (managedBy !== undefined && managedBy !== JOB_CONTROLLER_NAME) return;
  if (isJobFinished(cached)) {
    d.backoff.remove(key);
    return;
  }
  const job: Job = structuredClone(cached);
  const mode = job.spec?.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    d.recorder.event(objectReference(d.cs.batchV1.jobs, job), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
    return;
  }
  const status = (job.status ??= { conditions: [] });
  status.conditions ??= [];
  status.uncountedTerminatedPods ??= { succeeded: [], failed: [] };
  const now = d.clock.now();

  // Expectations first: a pod arriving after this check only defers management to the next sync.
  const satisfied = d.expectations.satisfied(key);
  const pods = await claimPods(d, job);
  const activePods = pods.filter(isActive);
  const ctx: SyncContext = {
    key,
    job,
    pods,
    activePods,
    ready: activePods.filter(isReady).length,
    terminating: pods.filter(isTerminating).length,
    uncountedSucceeded: new Set(status.uncountedTerminatedPods.succeeded),
    uncountedFailed: new Set(status.uncountedTerminatedPods.failed),
    expectedRmFinalizers: new Set(d.expectations.expectedFinalizerRemovals(key)),
    succeeded: 0,
    failed: 0,
    prevSucceededIndexes: new Set(),
    succeededIndexes: new Set(),
    newBackoff: { key, failuresAfterLastSuccess: 0 },
    onlyReplaceFailed: job.spec?.podReplacementPolicy === 'Failed',
  };
  let active = activePods.length;
  const finished = newFinishedPods(ctx);
  ctx.succeeded = (status.succeeded ?? 0) + finished.succeeded.length + ctx.uncountedSucceeded.size;
  ctx.failed = (status.failed ?? 0) + finished.failed.length + ctx.uncountedFailed.size;

  if (status.startTime === undefined && !isSuspended(job)) status.startTime = toTime(now);
  ctx.newBackoff = d.backoff.next(key, finished.succeeded, finished.failed, now);

  ctx.finishedCondition = copy(successCriteriaMet(job));
  if (!ctx.finishedCondition) {
    const target = findCondition(status.conditions, JOB_FAILURE_TARGET);
    if (target?.status === 'True') ctx.finishedCondition = newCondition(JOB_FAILED, 'True', target.reason ?? '', target.message ?? '', now);
  }
  if (!ctx.finishedCondition) {
    const remaining = deadlineRemainingMs(job, now);
    if (ctx.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      ctx.finishedCondition = newCondition(JOB_FAILURE_TARGET, 'True', REASON_BACKOFF_LIMIT_EXCEEDED, MESSAGE_BACKOFF_LIMIT_EXCEEDED, now);
    } else if (remaining !== undefined && remaining <= 0) {
      ctx.finishedCondition = newCondition(JOB_FAILURE_TARGET, 'True', REASON_DEADLINE_EXCEEDED, MESSAGE_DEADLINE_EXCEEDED, now);
    } else if (remaining !== undefined) {
      d.queue.addAfter(key, remaining);
    }
  }

  if (isIndexed(job)) {
    const ix = succeededIndexes(job, pods);
    ctx.prevSucceededIndexes = ix.prev;
    ctx.succeededIndexes = ix.all;
    ctx.succeeded = ix.all.size;
  }

  let suspendChanged = false;
  let manageError: unknown;
  if (ctx.finishedCondition) {
    const r = await deleteActivePods(d, ctx, activePods);
    // Not finished while a deletion failed or the cache may still miss pods.
    if (r.deleted !== active || !satisfied) ctx.finishedCondition = undefined;
    active -= r.deleted;
    ctx.terminating += r.deleted;
    ctx.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && job.metadata?.deletionTimestamp === undefined) {
      const r = await manageJob(d, ctx);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions = job.spec?.completions;
    const complete = completions === undefined ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
    if (complete) {
      ctx.finishedCondition = newCondition(JOB_SUCCESS_CRITERIA_MET, 'True', REASON_COMPLETIONS_REACHED, MESSAGE_COMPLETIONS_REACHED, now);
    } else if (managed) {
      const ref = objectReference(d.cs.batchV1.jobs, job);
      if (isSuspended(job)) {
        if (ensureConditionStatus(status.conditions, JOB_SUSPENDED, 'True', 'JobSuspended', 'Job suspended', now)) {
          suspendChanged = true;
          d.recorder.event(ref, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (ensureConditionStatus(status.conditions, JOB_SUSPENDED, 'False', 'JobResumed', 'Job resumed', now)) {
        suspendChanged = true;
        d.recorder.event(ref, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts from the resumption.
        status.startTime = toTime(now);
      }
    }
  }

  const needsStatusUpdate =
    suspendChanged ||
    active !== (status.active ?? 0) ||
    ctx.ready !== status.ready ||
    ctx.terminating !== status.terminating ||
    cached.status?.startTime === undefined && status.startTime !== undefined;
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackStatusAndRemoveFinalizers(d, ctx, needsStatusUpdate);
  if (manageError !== undefined) throw manageError;
}

function copy(c: JobCondition | undefined): JobCondition | undefined {
  return c ? { ...c } : undefined;
}
