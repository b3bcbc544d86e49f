/**
 * History limits (upstream's cleanupFinishedJobs): beyond successfulJobsHistoryLimit
 * finished-Complete Jobs and failedJobsHistoryLimit Failed ones, the oldest (by start time,
 * then name) are deleted in the background, each with a `SuccessfulDelete` Event.
 */
import type { CronJob, Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { timeOf } from '../../../client/index.js';
import { finishedConditionType } from '../job/conditions.js';
import type { CronJobDeps } from './deps.js';
import { deleteJob } from './job-control.js';

function byStartTime(a: Job, b: Job): number {
  const ta = timeOf(a.status?.startTime)?.getTime();
  const tb = timeOf(b.status?.startTime)?.getTime();
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta === tb) return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  return (ta ?? 0) - (tb ?? 0);
}

async function removeOldest(d: CronJobDeps, cj: CronJob, jobs: Job[], keep: number): Promise<boolean> {
  const n = jobs.length - keep;
  if (n <= 0) return false;
  let changed = false;
  for (const job of [...jobs].sort(byStartTime).slice(0, n)) {
    if (await deleteJob(d, cj, job)) changed = true;
  }
  return changed;
}

/** Prunes finished Jobs past the limits; returns whether the CronJob's status changed. */
export async function cleanupFinishedJobs(d: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
  const successLimit = cj.spec?.successfulJobsHistoryLimit;
  const failedLimit = cj.spec?.failedJobsHistoryLimit;
  if (successLimit === undefined && failedLimit === undefined) return false;
  const succeeded = jobs.filter((j) => finishedConditionType(j) === 'Complete');
  const failed = jobs.filter((j) => finishedConditionType(j) === 'Failed');
  let changed = false;
  if (successLimit !== undefined && (await removeOldest(d, cj, succeeded, successLimit))) changed = true;
  if (failedLimit !== undefined && (await removeOldest(d, cj, failed, failedLimit))) changed = true;
  return changed;
}
