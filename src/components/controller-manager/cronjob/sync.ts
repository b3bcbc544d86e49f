/**
 * One CronJob sync (upstream's ControllerV2.sync and syncCronJob): reconcile status.active
 * with the Jobs it owns (`SawCompletedJob`, `MissingJob`, lastSuccessfulTime), then, unless
 * deleted or suspended, start the Job for the most recent due scheduled time — honouring
 * startingDeadlineSeconds (`MissSchedule`) and concurrencyPolicy (Forbid skips with
 * `JobAlreadyActive`, Replace deletes the running ones) — prune history, write status and
 * come back at the next scheduled time.
 */
import type { CronJob, Job } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { controllerRef, isConflict, objectReference, splitKey, StatusError, timeOf, toTime } from '../../../client/index.js';
import { finishedConditionType } from '../job/conditions.js';
import type { CronJobDeps } from './deps.js';
import { cleanupFinishedJobs } from './history.js';
import { deleteFromActiveList, deleteJob, inActiveList } from './job-control.js';
import { jobFromTemplate, jobName } from './job-from-template.js';
import { isKnownTimeZone, parseSchedule, type Schedule } from './schedule.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const isNotFound = (err: unknown): boolean => err instanceof StatusError && err.reason === 'NotFound';

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
function rfc1123z(d: Date): string {
  const s = d.toUTCString(); // "Mon, 02 Jan 2006 15:04:05 GMT"
  return s.replace(/GMT$/, '+0000');
}

/** The Jobs whose controller reference names this CronJob. */
export function jobsOf(d: CronJobDeps, cj: CronJob): Job[] {
  return d.jobs.lister().list(undefined, cj.metadata?.namespace ?? '').filter((j) => controllerRef(j)?.uid === cj.metadata?.uid);
}

interface SyncResult {
  requeueAfterMs?: number;
  updateStatus: boolean;
}

async function syncCronJob(d: CronJobDeps, cj: CronJob, jobs: readonly Job[]): Promise<SyncResult> {
  const now = d.clock.now();
  const ref = objectReference(d.cs.batchV1.cronJobs, cj);
  const status = (cj.status ??= { active: [] });
  status.active ??= [];
  let updateStatus = false;

  const children = new Set<string>();
  for (const j of jobs) {
    const uid = j.metadata?.uid ?? '';
    children.add(uid);
    const found = inActiveList(cj, uid);
    const finished = finishedConditionType(j);
    if (!found && !finished) {
      const fresh = await d.cs.batchV1.cronJobs.get(cj.metadata?.name ?? '', { namespace: cj.metadata?.namespace });
      if (inActiveList(fresh, uid)) {
        Object.assign(cj, fresh);
        continue;
      }
      d.recorder.event(ref, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name ?? ''}`);
    } else if (found && finished) {
      deleteFromActiveList(cj, uid);
      d.recorder.event(ref, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name ?? ''}, status: ${finished}`);
      updateStatus = true;
    }
    if (finished === 'Complete') {
      const done = timeOf(j.status?.completionTime);
      const last = timeOf(cj.status?.lastSuccessfulTime);
      if (done && (!last || done > last)) {
        cj.status.lastSuccessfulTime = toTime(done);
        updateStatus = true;
      }
    }
  }

  // Active entries whose Job is gone (asking the server, the cache may lag).
  for (const r of [...cj.status.active]) {
    if (children.has(r.uid ?? '')) continue;
    try {
      await d.cs.batchV1.jobs.get(r.name ?? '', { namespace: r.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      d.recorder.event(ref, 'Normal', 'MissingJob', `Active job went missing: ${r.name ?? ''}`);
      deleteFromActiveList(cj, r.uid);
      updateStatus = true;
    }
  }

  if (cj.metadata?.deletionTimestamp !== undefined) return { updateStatus };
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && !isKnownTimeZone(tz)) {
    d.recorder.event(ref, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
    return { updateStatus };
  }
  if (cj.spec?.suspend === true) return { updateStatus };

  const scheduleText = cj.spec?.schedule ?? '';
  let schedule: Schedule;
  try {
    if (scheduleText.includes('TZ')) {
      d.recorder.event(
        ref,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule "${scheduleText}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    schedule = parseSchedule(scheduleText.replace(/^(CRON_)?TZ=\S+\s+/, ''), tz ?? /^(?:CRON_)?TZ=(\S+)/.exec(scheduleText)?.[1]);
  } catch (err) {
    d.recorder.event(ref, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${scheduleText}" : ${errText(err)}`);
    return { updateStatus };
  }

  let scheduled: Date | undefined;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, true);
    scheduled = r.mostRecent && r.mostRecent <= now ? r.mostRecent : undefined;
    if (scheduled && r.missed === 'many') {
      d.recorder.event(ref, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
  } catch (err) {
    d.recorder.event(ref, 'Warning', 'InvalidSchedule', `invalid schedule: ${scheduleText} : ${errText(err)}`);
    return { updateStatus };
  }
  const next = (): SyncResult => ({ requeueAfterMs: nextScheduleDelayMs(cj, now, schedule), updateStatus });
  if (!scheduled) return next();

  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && scheduled.getTime() + deadline * 1000 < now.getTime()) {
    d.recorder.event(ref, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return next();
  }
  const name = jobName(cj, scheduled);
  const lastScheduled = timeOf(cj.status.lastScheduleTime);
  if (cj.status.active.some((r) => r.name === name && r.namespace === cj.metadata?.namespace) || lastScheduled?.getTime() === scheduled.getTime()) {
    return next();
  }
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && cj.status.active.length > 0) {
    d.recorder.event(ref, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return next();
  }
  if (policy === 'Replace') {
    for (const r of [...cj.status.active]) {
      let job: Job;
      try {
        job = await d.cs.batchV1.jobs.get(r.name ?? '', { namespace: r.namespace });
      } catch (err) {
        d.recorder.event(ref, 'Warning', 'FailedGet', `Get job: ${errText(err)}`);
        throw err;
      }
      if (!(await deleteJob(d, cj, job))) throw new Error(`could not replace job ${r.namespace ?? ''}/${r.name ?? ''}`);
      updateStatus = true;
    }
  }

  const request = jobFromTemplate(cj, scheduled, d.cs.batchV1.cronJobs.facts);
  let created: Job;
  try {
    created = await d.cs.batchV1.jobs.create(request, { namespace: cj.metadata?.namespace });
    d.recorder.event(ref, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name ?? ''}`);
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) {
      d.recorder.event(ref, 'Warning', 'FailedCreate', `Error creating job: ${errText(err)}`);
      throw err;
    }
    // Created earlier (status not recorded): take it into the active list if it is ours.
    const existing = await d.cs.batchV1.jobs.get(request.metadata?.name ?? '', { namespace: cj.metadata?.namespace });
    if (controllerRef(existing)?.uid !== cj.metadata?.uid || inActiveList(cj, existing.metadata?.uid)) return { updateStatus };
    d.log(`job ${existing.metadata?.name ?? ''} already exists`);
    created = existing;
  }
  cj.status.active.push(objectReference(d.cs.batchV1.jobs, created));
  cj.status.lastScheduleTime = toTime(scheduled);
  updateStatus = true;
  return next();
}

/**
 * Writes the CronJob's status. Jobs may have been created or deleted by now, so a Conflict
 * (the cached CronJob was behind, e.g. after a concurrent edit) is answered by writing the
 * same status onto the server's copy rather than by a retry that would forget them; the
 * status is this controller's alone.
 */
async function writeStatus(d: CronJobDeps, cj: CronJob): Promise<void> {
  const ns = cj.metadata?.namespace;
  try {
    await d.cs.batchV1.cronJobs.updateStatus(cj, { namespace: ns });
  } catch (err) {
    if (!isConflict(err)) throw err;
    const fresh = await d.cs.batchV1.cronJobs.get(cj.metadata?.name ?? '', { namespace: ns });
    if (fresh.metadata?.uid !== cj.metadata?.uid) return;
    await d.cs.batchV1.cronJobs.updateStatus({ ...fresh, status: cj.status }, { namespace: ns });
  }
}

export async function syncCronJobKey(d: CronJobDeps, key: string): Promise<void> {
  const [ns, name] = splitKey(key);
  const cached = d.cronJobs.lister().get(ns, name);
  if (!cached) return;
  const cj: CronJob = structuredClone(cached);
  const jobs = jobsOf(d, cj);
  const r = await syncCronJob(d, cj, jobs);
  let updateStatus = r.updateStatus;
  if (cj.metadata?.deletionTimestamp === undefined && (await cleanupFinishedJobs(d, cj, jobs))) updateStatus = true;
  if (updateStatus) await writeStatus(d, cj);
  if (r.requeueAfterMs !== undefined) d.queue.addAfter(key, Math.max(0, r.requeueAfterMs));
}
