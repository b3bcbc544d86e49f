/**
 * The Job and TTL-after-finished controllers over gRPC, against an in-process server, with a
 * stand-in kubelet (job-kubelet.ts) finishing the pods.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../gen/k8s/io/api/batch/v1/generated.js';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { isNotFound, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startJobKubelet, type JobKubelet } from './job-kubelet.js';

const NS = 'default';
let s: TestServer;
let cs: Clientset;
let kubelet: JobKubelet;
const ac = new AbortController();

before(async () => {
  s = await startTestServer();
  cs = testClientset(s.server);
  kubelet = startJobKubelet(cs);
  void runControllerManager(cs, { controllers: ['job', 'ttl-after-finished'] }, ac.signal);
});
after(async () => {
  ac.abort();
  kubelet.stop();
  cs.close();
  await s.stop();
});

const jobs = () => cs.batchV1.jobs.in(NS);

function job(name: string, spec: Record<string, unknown>, podLabels: Record<string, string> = {}): Job {
  return {
    metadata: { name, namespace: NS },
    spec: {
      ...spec,
      template: {
        metadata: { labels: podLabels },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  } as unknown as Job;
}

async function podsOf(name: string): Promise<Pod[]> {
  return (await cs.coreV1.pods.list({ namespace: NS, labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
}

async function eventsOf(kind: string, name: string): Promise<{ type: string; reason: string; message: string; component: string }[]> {
  const list = await cs.coreV1.events.list({ namespace: NS });
  return list.items
    .filter((e) => e.involvedObject?.kind === kind && e.involvedObject?.name === name)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '', component: e.source?.component ?? '' }));
}

const conditionSummary = (j: Job): string[] => (j.status?.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason ?? ''}:${c.message ?? ''}`);

async function finished(name: string, type: 'Complete' | 'Failed', ms = 30_000): Promise<Job> {
  let last: Job | undefined;
  await eventually(`job ${name} ${type}`, async () => {
    last = await jobs().get(name);
    return (last.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  }, ms);
  return last as Job;
}

test('kubectl create job completes: conditions, counters, labels, finalizer removed, events', async () => {
  const created = await kubectl(33, s.server.kubeconfigPath, ['create', 'job', 'pi', '--image=busybox', '-n', NS]).result;
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim(), 'job.batch/pi created');
  const waited = await kubectl(33, s.server.kubeconfigPath, ['wait', '--for=condition=complete', 'job/pi', '-n', NS, '--timeout=60s'], { timeoutMs: 70_000 }).result;
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(waited.stdout.trim(), 'job.batch/pi condition met');

  const j = await jobs().get('pi');
  const st = j.status;
  assert.deepEqual(conditionSummary(j), [
    'SuccessCriteriaMet=True:CompletionsReached:Reached expected number of succeeded pods',
    'Complete=True:CompletionsReached:Reached expected number of succeeded pods',
  ]);
  assert.equal(st?.succeeded, 1);
  assert.equal(st?.failed ?? 0, 0);
  assert.equal(st?.active ?? 0, 0);
  assert.equal(st?.ready, 0);
  assert.equal(st?.terminating, 0);
  assert.ok(st?.startTime?.seconds, 'startTime set');
  assert.ok(st?.completionTime?.seconds, 'completionTime set');
  assert.ok((st?.completionTime?.seconds ?? 0) >= (st?.startTime?.seconds ?? 0));
  assert.deepEqual(st?.uncountedTerminatedPods ?? { succeeded: [], failed: [] }, { succeeded: [], failed: [] });

  const pods = await podsOf('pi');
  assert.equal(pods.length, 1);
  const pod = pods[0];
  const uid = j.metadata?.uid ?? '';
  assert.equal(pod.status?.phase, 'Succeeded');
  assert.match(pod.metadata?.name ?? '', /^pi-[a-z0-9]{5}$/);
  assert.deepEqual(
    Object.fromEntries(Object.entries(pod.metadata?.labels ?? {}).filter(([k]) => k.includes('job-name') || k.includes('controller-uid'))),
    { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' },
  );
  assert.deepEqual(pod.metadata?.finalizers ?? [], [], 'job-tracking finalizer removed once counted');
  const owner = pod.metadata?.ownerReferences?.[0];
  assert.deepEqual(
    { kind: owner?.kind, apiVersion: owner?.apiVersion, name: owner?.name, uid: owner?.uid, controller: owner?.controller, block: owner?.blockOwnerDeletion },
    { kind: 'Job', apiVersion: 'batch/v1', name: 'pi', uid, controller: true, block: true },
  );

  await eventually('job events', async () => (await eventsOf('Job', 'pi')).some((e) => e.reason === 'Completed'));
  const events = await eventsOf('Job', 'pi');
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.reason} ${e.message} (${e.component})`),
    [`Normal SuccessfulCreate Created pod: ${pod.metadata?.name ?? ''} (job-controller)`, 'Normal Completed Job completed (job-controller)'],
  );
});

test('completions=3 parallelism=2 never runs more than 2 pods at once', async () => {
  await jobs().create(job('par', { completions: 3, parallelism: 2 }, { 'kubelet.test/run-ms': '800' }));
  const j = await finished('par', 'Complete');
  assert.equal(j.status?.succeeded, 3);
  assert.equal(j.status?.active ?? 0, 0);
  assert.equal(kubelet.maxRunning('par'), 2, 'two pods ran side by side, never three');
  const pods = await podsOf('par');
  assert.equal(pods.length, 3, 'exactly three pods created');
  assert.ok(pods.every((p) => p.status?.phase === 'Succeeded'));
  const creates = (await eventsOf('Job', 'par')).filter((e) => e.reason === 'SuccessfulCreate');
  assert.equal(creates.length, 3);
});

test('a work-queue Job (parallelism=2, no completions) starts no new pod after the first success and completes when all end', async () => {
  await jobs().create(job('queue', { parallelism: 2 }, { 'kubelet.test/run-ms': '500' }));
  const j = await finished('queue', 'Complete');
  assert.equal(j.spec?.completions, undefined);
  assert.equal(j.status?.succeeded, 2);
  assert.equal((await podsOf('queue')).length, 2);
  assert.equal(kubelet.maxRunning('queue'), 2);
});

test('backoffLimit=1 with failing pods ends Failed with BackoffLimitExceeded', async () => {
  await jobs().create(job('fails', { backoffLimit: 1 }, { 'kubelet.test/outcome': 'fail', 'kubelet.test/run-ms': '100' }));
  // One failure, a 10 s back-off, the second failure exceeds the limit.
  const j = await finished('fails', 'Failed', 45_000);
  assert.deepEqual(conditionSummary(j), [
    'FailureTarget=True:BackoffLimitExceeded:Job has reached the specified backoff limit',
    'Failed=True:BackoffLimitExceeded:Job has reached the specified backoff limit',
  ]);
  assert.equal(j.status?.failed, 2);
  assert.equal(j.status?.succeeded ?? 0, 0);
  assert.equal(j.status?.active ?? 0, 0);
  assert.equal(j.status?.completionTime, undefined, 'a failed job has no completionTime');
  const pods = await podsOf('fails');
  assert.equal(pods.length, 2);
  assert.ok(pods.every((p) => p.status?.phase === 'Failed' && (p.metadata?.finalizers ?? []).length === 0));
  await eventually('failure event', async () => (await eventsOf('Job', 'fails')).some((e) => e.reason === 'BackoffLimitExceeded'));
  const warn = (await eventsOf('Job', 'fails')).find((e) => e.reason === 'BackoffLimitExceeded');
  assert.deepEqual(warn, { type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', component: 'job-controller' });
});

test('Indexed completion mode: one pod per index, completedIndexes, index annotation, label, env and hostname', async () => {
  await jobs().create(job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const j = await finished('idx', 'Complete');
  assert.equal(j.status?.completedIndexes, '0-2');
  assert.equal(j.status?.succeeded, 3);
  const pods = (await podsOf('idx')).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  assert.deepEqual(pods.map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
  assert.deepEqual(pods.map((p) => p.metadata?.labels?.['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
  assert.deepEqual(pods.map((p) => p.spec?.hostname), ['idx-0', 'idx-1', 'idx-2']);
  pods.forEach((p, i) => assert.match(p.metadata?.name ?? '', new RegExp(`^idx-${i}-[a-z0-9]{5}$`)));
  const env = pods[0].spec?.containers?.[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
  assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
});

test('suspend: a suspended Job creates no pods until resumed', async () => {
  await jobs().create(job('sus', { suspend: true }));
  await eventually('Suspended condition', async () => (await jobs().get('sus')).status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True') ?? false);
  const suspended = await jobs().get('sus');
  assert.deepEqual(conditionSummary(suspended), ['Suspended=True:JobSuspended:Job suspended']);
  assert.equal(suspended.status?.startTime, undefined);
  assert.equal((await podsOf('sus')).length, 0);
  await jobs().patch('sus', 'merge', { spec: { suspend: false } });
  const j = await finished('sus', 'Complete');
  assert.equal(conditionSummary(j)[0], 'Suspended=False:JobResumed:Job resumed');
  const reasons = (await eventsOf('Job', 'sus')).map((e) => e.reason);
  assert.deepEqual(reasons.filter((r) => r === 'Suspended' || r === 'Resumed'), ['Suspended', 'Resumed']);
});

test('activeDeadlineSeconds: running pods are deleted and the Job fails with DeadlineExceeded', async () => {
  await jobs().create(job('late', { activeDeadlineSeconds: 2 }, { 'kubelet.test/outcome': 'hang' }));
  const j = await finished('late', 'Failed', 20_000);
  assert.deepEqual(conditionSummary(j), [
    'FailureTarget=True:DeadlineExceeded:Job was active longer than specified deadline',
    'Failed=True:DeadlineExceeded:Job was active longer than specified deadline',
  ]);
  assert.equal(j.status?.failed, 1, 'the deleted running pod counts as failed');
  assert.equal(j.status?.active ?? 0, 0);
  assert.equal(j.status?.terminating, 0);
  await eventually('pod gone', async () => (await podsOf('late')).length === 0, 10_000);
  const reasonsOf = async (): Promise<string[]> => (await eventsOf('Job', 'late')).map((e) => `${e.type} ${e.reason}`);
  await eventually('deadline event', async () => (await reasonsOf()).includes('Warning DeadlineExceeded'));
  const reasons = await reasonsOf();
  assert.ok(reasons.includes('Normal SuccessfulDelete'), reasons.join(', '));
  assert.ok(reasons.includes('Warning DeadlineExceeded'), reasons.join(', '));
});

test('ttlSecondsAfterFinished=1 deletes the finished Job and, in the background, its pods', async () => {
  await jobs().create(job('short', { ttlSecondsAfterFinished: 1 }));
  await finished('short', 'Complete');
  await eventually('job deleted', async () => {
    try {
      await jobs().get('short');
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  }, 15_000);
  await eventually('pods collected', async () => (await podsOf('short')).length === 0, 15_000);
});
