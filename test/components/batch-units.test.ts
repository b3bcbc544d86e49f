/** Unit checks of the batch controllers' pure parts: schedules, scheduled times, timestamps, indexes, back-off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob } from '../../gen/k8s/io/api/batch/v1/generated.js';
import { toTime } from '../../src/client/index.js';
import { jobName, rfc3339In } from '../../src/components/controller-manager/cronjob/job-from-template.js';
import { parseGoDuration, parseSchedule } from '../../src/components/controller-manager/cronjob/schedule.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from '../../src/components/controller-manager/cronjob/schedule-times.js';
import { remainingBackoffMs } from '../../src/components/controller-manager/job/backoff.js';
import { firstPendingIndexes, formatIndexes, parseIndexes } from '../../src/components/controller-manager/job/completed-indexes.js';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

test('schedules: five fields, macros, @every, time zones; six fields and unknown macros refused', () => {
  assert.equal(iso(parseSchedule('*/15 * * * *', 'UTC').next(at('2026-12-03T12:00:00Z'))), '2026-12-03T12:15:00.000Z');
  assert.equal(iso(parseSchedule('@hourly', 'UTC').next(at('2026-12-03T12:00:30Z'))), '2026-12-03T13:00:00.000Z');
  assert.equal(iso(parseSchedule('@daily', 'Asia/Tokyo').next(at('2026-12-03T12:00:00Z'))), '2026-12-03T15:00:00.000Z');
  assert.equal(iso(parseSchedule('@weekly', 'UTC').next(at('2026-12-03T12:00:00Z'))), '2026-12-06T00:00:00.000Z');
  // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
  assert.equal(iso(parseSchedule('0 9 * * *', 'America/New_York').next(at('2026-12-03T12:00:00Z'))), '2026-12-03T14:00:00.000Z');
  assert.equal(iso(parseSchedule('0 9 * * *', 'America/New_York').next(at('2026-07-03T12:00:00Z'))), '2026-07-03T13:00:00.000Z');
  assert.equal(iso(parseSchedule('@every 90s', 'UTC').next(at('2026-12-03T12:00:00.400Z'))), '2026-12-03T12:01:30.000Z');
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.throws(() => parseSchedule('0 */1 * * * *', 'UTC'), /expected exactly 5 fields, found 6/);
  assert.throws(() => parseSchedule('@fortnightly', 'UTC'), /unrecognized descriptor: @fortnightly/);
  assert.throws(() => parseSchedule('61 * * * *', 'UTC'));
});

function cj(created: string, lastSchedule?: string, startingDeadlineSeconds?: number): CronJob {
  return {
    metadata: { name: 'c', creationTimestamp: toTime(at(created)) },
    spec: { schedule: '*/1 * * * *', startingDeadlineSeconds },
    status: { active: [], lastScheduleTime: lastSchedule ? toTime(at(lastSchedule)) : undefined },
  } as unknown as CronJob;
}

test('scheduled times: none due, one due, many missed, the starting deadline, the next requeue', () => {
  const every = parseSchedule('*/1 * * * *', 'UTC');
  assert.deepEqual(mostRecentScheduleTime(cj('2026-12-03T12:00:10Z'), at('2026-12-03T12:00:50Z'), every, true), { earliest: at('2026-12-03T12:00:10Z'), missed: 'none' });
  assert.equal(iso(mostRecentScheduleTime(cj('2026-12-03T12:00:10Z'), at('2026-12-03T12:01:00.1Z'), every, true).mostRecent as Date), '2026-12-03T12:01:00.000Z');
  const many = mostRecentScheduleTime(cj('2026-12-03T10:00:10Z', '2026-12-03T10:01:00Z'), at('2026-12-03T12:30:20Z'), every, true);
  assert.equal(iso(many.mostRecent as Date), '2026-12-03T12:30:00.000Z');
  assert.equal(many.missed, 'many');
  const few = mostRecentScheduleTime(cj('2026-12-03T12:00:10Z'), at('2026-12-03T12:05:20Z'), every, true);
  assert.deepEqual([iso(few.mostRecent as Date), few.missed], ['2026-12-03T12:05:00.000Z', 'few']);
  // 30 s past 12:05 with a 10 s deadline: nothing is due until 12:06.
  assert.equal(mostRecentScheduleTime(cj('2026-12-03T12:00:10Z', '2026-12-03T12:04:00Z', 10), at('2026-12-03T12:05:30Z'), every, true).mostRecent, undefined);
  assert.equal(nextScheduleDelayMs(cj('2026-12-03T12:00:10Z', '2026-12-03T12:05:00Z'), at('2026-12-03T12:05:20Z'), every), 40_100);
});

test('Job names and the scheduled-timestamp annotation', () => {
  assert.equal(jobName({ metadata: { name: 'hello' } } as unknown as CronJob, at('2026-12-03T12:05:00Z')), `hello-${Date.parse('2026-12-03T12:05:00Z') / 60_000}`);
  assert.equal(rfc3339In(at('2026-12-03T12:05:00Z'), undefined), '2026-12-03T12:05:00Z');
  assert.equal(rfc3339In(at('2026-12-03T14:00:00Z'), 'America/New_York'), '2026-12-03T09:00:00-05:00');
  assert.equal(rfc3339In(at('2026-12-03T03:30:00Z'), 'Asia/Kolkata'), '2026-12-03T09:00:00+05:30');
  assert.equal(rfc3339In(at('2026-12-03T12:00:00Z'), 'Europe/London'), '2026-12-03T12:00:00Z');
});

test('completed indexes: text form, parsing within completions, pending indexes', () => {
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8]), '0-2,5,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,5,7-8', 8)].sort((a, b) => a - b), [0, 1, 2, 5, 7]);
  assert.deepEqual(firstPendingIndexes(new Set([0, 2]), new Set([1]), 2, 6), [3, 4]);
});

test('pod failure back-off: 10 s, doubling, at most 6 minutes, counted from the last failure', () => {
  const last = at('2026-12-03T12:00:00Z');
  assert.equal(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 0 }, last), 0);
  assert.equal(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 1, lastFailureTime: last }, at('2026-12-03T12:00:04Z')), 6_000);
  assert.equal(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 3, lastFailureTime: last }, last), 40_000);
  assert.equal(remainingBackoffMs({ key: 'k', failuresAfterLastSuccess: 20, lastFailureTime: last }, last), 360_000);
});
