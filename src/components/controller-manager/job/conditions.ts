/** Job conditions: finding, creating and setting them as upstream's job controller does. */
import type { Job, JobCondition } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { toTime } from '../../../client/index.js';
import { JOB_COMPLETE, JOB_FAILED, JOB_SUCCESS_CRITERIA_MET } from './names.js';

/** The first condition of `type`, or undefined. */
export function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

/** Whether the Job has a True condition of `type`. */
export function hasTrueCondition(job: Job, type: string): boolean {
  return findCondition(job.status?.conditions, type)?.status === 'True';
}

/** A new condition with both probe and transition time at `now`. */
export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: Date): JobCondition {
  return { type, status, reason, message, lastProbeTime: toTime(now), lastTransitionTime: toTime(now) };
}

/**
 * Sets the condition of `type` to `status`/`reason`/`message` (replacing it when any of
 * those differ); a missing condition is appended unless its status would be False.
 * Returns whether the list changed.
 */
export function ensureConditionStatus(
  conditions: JobCondition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: Date,
): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i];
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return false;
    conditions[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conditions.push(newCondition(type, status, reason, message, now));
  return true;
}

/** `Complete` or `Failed` when the Job has that condition True (upstream's getFinishedStatus), else undefined. */
export function finishedConditionType(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === JOB_COMPLETE || c.type === JOB_FAILED) && c.status === 'True') return c.type;
  }
  return undefined;
}

/** Whether the Job has finished: a True `Complete` or `Failed` condition. */
export function isJobFinished(job: Job): boolean {
  return finishedConditionType(job) !== undefined;
}

/** The True `Complete` or `Failed` condition, for its transition time (the finish time). */
export function finishedCondition(job: Job): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => (c.type === JOB_COMPLETE || c.type === JOB_FAILED) && c.status === 'True');
}

/** The Job's `SuccessCriteriaMet` condition when True. */
export function successCriteriaMet(job: Job): JobCondition | undefined {
  const c = findCondition(job.status?.conditions, JOB_SUCCESS_CRITERIA_MET);
  return c?.status === 'True' ? c : undefined;
}
