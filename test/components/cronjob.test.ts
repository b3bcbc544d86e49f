/**
 * The CronJob controller (with the Job controller and a stand-in kubelet) on a test clock:
 * ControllerManagerOptions.now runs ahead of the wall clock, so a schedule's next minute is
 * never more than a moment away. Moving the clock is followed by an edit of the CronJob,
 * which syncs it at once (as any edit does).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../gen/k8s/io/api/batch/v1/generated.js';
import { timeOf, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startJobKubelet, type JobKubelet } from './job-kubelet.js';

const NS = 'default';
let s: TestServer;
let cs: Clientset;
let kubelet: JobKubelet;
const ac = new AbortController();
let offset = 0;
const clockNow = (): number => Date.now() + offset;
/** Sets the controllers' clock to `ms` (epoch milliseconds). */
const setClock = (ms: number): void => {
  offset = ms - Date.now();
};
const MINUTE = 60_000;
/** The next whole minute after the wall clock. */
const nextMinute = (): number => Math.ceil((Date.now() + 1) / MINUTE) * MINUTE;

before(async () => {
  s = await startTestServer();
  cs = testClientset(s.server);
  kubelet = startJobKubelet(cs);
  void runControllerManager(cs, { controllers: ['job', 'cronjob'], now: clockNow }, ac.signal);
});
after(async () => {
  ac.abort();
  kubelet.stop();
  cs.close();
  await s.stop();
});

const cronJobs = () => cs.batchV1.cronJobs.in(NS);
const jobs = () => cs.batchV1.jobs.in(NS);

function cronJob(name: string, spec: Record<string, unknown>, podLabels: Record<string, string> = {}): CronJob {
  return {
    metadata: { name, namespace: NS },
    spec: {
      schedule: '*/1 * * * *',
      ...spec,
      jobTemplate: {
        metadata: { labels: { 'from-cronjob': name }, annotations: { note: 'kept' } },
        spec: { template: { metadata: { labels: podLabels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
      },
    },
  } as unknown as CronJob;
}

async function jobsOf(name: string): Promise<Job[]> {
  return (await jobs().list({ labelSelector: `from-cronjob=${name}` })).items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

async function eventsOf(name: string): Promise<string[]> {
  const list = await cs.coreV1.events.list({ namespace: NS });
  return list.items
    .filter((e) => e.involvedObject?.kind === 'CronJob' && e.involvedObject?.name === name)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))
    .map((e) => `${e.type ?? ''} ${e.reason ?? ''} ${e.message ?? ''}`);
}

/** Asserts the CronJob's Events become exactly `expected` (Events are written after the change they report). */
async function expectEvents(name: string, expected: string[]): Promise<void> {
  await eventually(`events of ${name}`, async () => JSON.stringify(await eventsOf(name)) === JSON.stringify(expected), 5000).catch(() => undefined);
  assert.deepEqual(await eventsOf(name), expected);
}

/** Syncs the CronJob now, as any edit of it does. */
async function touch(name: string): Promise<void> {
  await cronJobs().patch(name, 'merge', { metadata: { annotations: { touched: String(Date.now()) } } });
}

const isComplete = (j: Job): boolean => (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');

test('a */1 CronJob creates its Job at the next minute: name, annotation, owner, status and events', async () => {
  const at = nextMinute();
  setClock(at - 1200);
  await cronJobs().create(cronJob('every', {}));
  const name = `every-${at / MINUTE}`;
  await eventually('the scheduled Job', async () => (await jobsOf('every')).length > 0, 10_000);
  const [j] = await jobsOf('every');
  assert.equal(j.metadata?.name, name);
  assert.equal(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(at).toISOString().replace('.000Z', 'Z'));
  assert.equal(j.metadata?.annotations?.note, 'kept');
  const cj = await cronJobs().get('every');
  const owner = j.metadata?.ownerReferences?.[0];
  assert.deepEqual(
    { kind: owner?.kind, apiVersion: owner?.apiVersion, name: owner?.name, uid: owner?.uid, controller: owner?.controller },
    { kind: 'CronJob', apiVersion: 'batch/v1', name: 'every', uid: cj.metadata?.uid, controller: true },
  );

  // The Job runs to completion; the CronJob sees it finish.
  await eventually('lastSuccessfulTime', async () => (await cronJobs().get('every')).status?.lastSuccessfulTime !== undefined, 20_000);
  const done = await cronJobs().get('every');
  assert.equal(timeOf(done.status?.lastScheduleTime)?.getTime(), at);
  assert.deepEqual(done.status?.active ?? [], []);
  assert.ok(isComplete(await jobs().get(name)));
  await expectEvents('every', [`Normal SuccessfulCreate Created job ${name}`, `Normal SawCompletedJob Saw completed job: ${name}, status: Complete`]);
});

test('the active list holds the running Job', async () => {
  const at = nextMinute();
  setClock(at - 1200);
  await cronJobs().create(cronJob('runs', {}, { 'kubelet.test/outcome': 'hang' }));
  const name = `runs-${at / MINUTE}`;
  await eventually('active', async () => ((await cronJobs().get('runs')).status?.active ?? []).length === 1, 10_000);
  const cj = await cronJobs().get('runs');
  const job = await jobs().get(name);
  const ref = cj.status?.active[0];
  assert.deepEqual({ kind: ref?.kind, apiVersion: ref?.apiVersion, namespace: ref?.namespace, name: ref?.name, uid: ref?.uid }, {
    kind: 'Job', apiVersion: 'batch/v1', namespace: NS, name, uid: job.metadata?.uid,
  });
  await cronJobs().patch('runs', 'merge', { spec: { suspend: true } });
});

test('spec.timeZone: the schedule is read in the IANA zone and the annotation carries its offset', async () => {
  // 09:00 in Asia/Kolkata (UTC+05:30, no daylight saving) is 03:30 UTC.
  const day = 24 * 60 * MINUTE;
  let at = Math.floor(Date.now() / day) * day + 3.5 * 60 * MINUTE;
  if (at <= Date.now()) at += day;
  setClock(at - 1200);
  await cronJobs().create(cronJob('zoned', { schedule: '0 9 * * *', timeZone: 'Asia/Kolkata' }));
  await eventually('the zoned Job', async () => (await jobsOf('zoned')).length > 0, 10_000);
  const [j] = await jobsOf('zoned');
  assert.equal(j.metadata?.name, `zoned-${at / MINUTE}`);
  const local = new Date(at + 5.5 * 60 * MINUTE).toISOString().slice(0, 19);
  assert.equal(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], `${local}+05:30`);
  assert.match(local, /T09:00:00$/);
});

test('@hourly macro runs on the hour', async () => {
  const hour = 60 * MINUTE;
  const at = Math.ceil((Date.now() + 1) / hour) * hour;
  setClock(at - 1200);
  await cronJobs().create(cronJob('hourly', { schedule: '@hourly' }));
  await eventually('the hourly Job', async () => (await jobsOf('hourly')).length > 0, 10_000);
  assert.deepEqual((await jobsOf('hourly')).map((j) => j.metadata?.name), [`hourly-${at / MINUTE}`]);
});

test('concurrencyPolicy Forbid skips a run while the previous Job is still running', async () => {
  const at = nextMinute();
  setClock(at - 1200);
  await cronJobs().create(cronJob('forbid', { concurrencyPolicy: 'Forbid' }, { 'kubelet.test/outcome': 'hang' }));
  await eventually('the first Job', async () => (await jobsOf('forbid')).length === 1, 10_000);
  setClock(at + MINUTE + 500);
  await touch('forbid');
  await eventually('JobAlreadyActive', async () => (await eventsOf('forbid')).some((e) => e.includes('JobAlreadyActive')), 10_000);
  assert.deepEqual((await jobsOf('forbid')).map((j) => j.metadata?.name), [`forbid-${at / MINUTE}`]);
  // Each sync in the skipped minute says so again (upstream counts repeats on one Event).
  assert.deepEqual([...new Set(await eventsOf('forbid'))], [
    `Normal SuccessfulCreate Created job forbid-${at / MINUTE}`,
    'Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid',
  ]);
  const cj = await cronJobs().get('forbid');
  assert.equal(timeOf(cj.status?.lastScheduleTime)?.getTime(), at, 'the skipped run is not recorded as scheduled');
  assert.equal(cj.status?.active.length, 1);
  await cronJobs().patch('forbid', 'merge', { spec: { suspend: true } });
});

test('concurrencyPolicy Replace deletes the running Job and starts the new one', async () => {
  const at = nextMinute();
  setClock(at - 1200);
  await cronJobs().create(cronJob('replace', { concurrencyPolicy: 'Replace' }, { 'kubelet.test/outcome': 'hang' }));
  await eventually('the first Job', async () => (await jobsOf('replace')).length === 1, 10_000);
  setClock(at + MINUTE + 500);
  await touch('replace');
  const second = `replace-${at / MINUTE + 1}`;
  await eventually('only the new Job', async () => {
    const names = (await jobsOf('replace')).filter((j) => j.metadata?.deletionTimestamp === undefined).map((j) => j.metadata?.name);
    const active = (await cronJobs().get('replace')).status?.active.map((r) => r.name);
    return names.length === 1 && names[0] === second && active?.length === 1 && active[0] === second;
  }, 10_000);
  await expectEvents('replace', [
    `Normal SuccessfulCreate Created job replace-${at / MINUTE}`,
    `Normal SuccessfulDelete Deleted job replace-${at / MINUTE}`,
    `Normal SuccessfulCreate Created job ${second}`,
  ]);
  await cronJobs().patch('replace', 'merge', { spec: { suspend: true } });
});

test('startingDeadlineSeconds: a run missed by more than the deadline is not started', async () => {
  const at = nextMinute();
  setClock(at + 30_000);
  await cronJobs().create(cronJob('deadline', { startingDeadlineSeconds: 10 }));
  await touch('deadline');
  setClock(at + MINUTE - 1200);
  await touch('deadline');
  await eventually('the next run', async () => (await jobsOf('deadline')).length > 0, 10_000);
  assert.deepEqual((await jobsOf('deadline')).map((j) => j.metadata?.name), [`deadline-${at / MINUTE + 1}`], 'the missed run is skipped');
  await cronJobs().patch('deadline', 'merge', { spec: { suspend: true } });
});

test('successfulJobsHistoryLimit=1 prunes older finished Jobs', async () => {
  const first = nextMinute();
  setClock(first - 1200);
  await cronJobs().create(cronJob('history', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }, { 'kubelet.test/run-ms': '100' }));
  const names: string[] = [];
  for (let i = 0; i < 3; i++) {
    const at = first + i * MINUTE;
    const name = `history-${at / MINUTE}`;
    names.push(name);
    if (i > 0) {
      setClock(at + 200);
      await touch('history');
    }
    await eventually(`${name} complete`, async () => {
      const j = (await jobsOf('history')).find((x) => x.metadata?.name === name);
      return j !== undefined && isComplete(j);
    }, 20_000);
  }
  await eventually('older Jobs pruned', async () => {
    const left = (await jobsOf('history')).filter((j) => j.metadata?.deletionTimestamp === undefined).map((j) => j.metadata?.name);
    return left.length === 1 && left[0] === names[2];
  }, 10_000);
  const deletes = async (): Promise<string[]> => (await eventsOf('history')).filter((e) => e.includes('SuccessfulDelete'));
  await eventually('delete events', async () => (await deletes()).length >= 2, 10_000);
  const events = await eventsOf('history');
  assert.deepEqual(events.filter((e) => e.includes('SuccessfulDelete')), [`Normal SuccessfulDelete Deleted job ${names[0]}`, `Normal SuccessfulDelete Deleted job ${names[1]}`]);
  await cronJobs().patch('history', 'merge', { spec: { suspend: true } });
});
