/** The CronJob controller's Job deletions and status.active bookkeeping, with upstream's Events. */
import type { CronJob, Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { objectReference } from '../../../client/index.js';
import type { CronJobDeps } from './deps.js';

/** Whether `uid` is in the CronJob's active list. */
export function inActiveList(cj: CronJob, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

/** Drops `uid` from the active list. */
export function deleteFromActiveList(cj: CronJob, uid: string | undefined): void {
  const status = (cj.status ??= { active: [] });
  status.active = (status.active ?? []).filter((r) => r.uid !== uid);
}

/** Deletes `job` (background propagation) and its active-list entry; returns whether it went. */
export async function deleteJob(d: CronJobDeps, cj: CronJob, job: Job): Promise<boolean> {
  const ref = objectReference(d.cs.batchV1.cronJobs, cj);
  try {
    await d.cs.batchV1.jobs.delete(job.metadata?.name ?? '', { namespace: job.metadata?.namespace, propagationPolicy: 'Background' });
  } catch (err) {
    d.recorder.event(ref, 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  deleteFromActiveList(cj, job.metadata?.uid);
  d.recorder.event(ref, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name ?? ''}`);
  return true;
}
