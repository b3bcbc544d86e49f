/**
 * Which scheduled time a CronJob is due for (upstream's mostRecentScheduleTime and
 * nextScheduleTimeDuration). The earliest time considered is the last schedule time (or
 * the CronJob's creation), moved up to now − startingDeadlineSeconds when that is later.
 */
import type { CronJob } from '../../../../gen/k8s/io/api/batch/v1/generated.js';
import { timeOf } from '../../../client/index.js';
import type { Schedule } from './schedule.js';

/** How many schedules were missed since the earliest time. */
export type Missed = 'none' | 'few' | 'many';

/** 100 ms past the scheduled moment, against clock skew. */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface MostRecent {
  earliest: Date;
  /** The latest scheduled time not after now, if any is due. */
  mostRecent?: Date;
  missed: Missed;
}

export function mostRecentScheduleTime(cj: CronJob, now: Date, schedule: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata?.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined) {
    const limit = new Date(now.getTime() - deadline * 1000);
    if (limit > earliest) earliest = limit;
  }
  const t1 = schedule.next(earliest);
  const t2 = schedule.next(t1);
  if (now < t1) return { earliest, missed: 'none' };
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };

  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const elapsed = Math.floor((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  // Jump close to now, then walk the schedule to the last time not after now.
  let t = schedule.next(new Date(t1.getTime() + (missedCount - 2) * between * 1000));
  let mostRecent: Date | undefined;
  while (t <= now) {
    mostRecent = t;
    t = schedule.next(t);
  }
  const missed: Missed = missedCount > 100 ? 'many' : 'few';
  return mostRecent ? { earliest, mostRecent, missed } : { earliest, missed };
}

/** Milliseconds from now until the sync after the next scheduled time. */
export function nextScheduleDelayMs(cj: CronJob, now: Date, schedule: Schedule): number {
  let from: Date;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now;
  }
  return schedule.next(from).getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime();
}
