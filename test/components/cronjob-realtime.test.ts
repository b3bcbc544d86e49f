/**
 * The one CronJob check on the wall clock: a `*\/1 * * * *` CronJob gets its first Job within
 * 75 s (at most a minute to the next whole minute, plus the controller's 100 ms margin).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob } from '../../gen/k8s/io/api/batch/v1/generated.js';
import { timeOf, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let cs: Clientset;
const ac = new AbortController();

before(async () => {
  s = await startTestServer();
  cs = testClientset(s.server);
  void runControllerManager(cs, { controllers: ['cronjob'] }, ac.signal);
});
after(async () => {
  ac.abort();
  cs.close();
  await s.stop();
});

test('a */1 CronJob creates its Job within 75 s on the wall clock', async () => {
  const created = await cs.batchV1.cronJobs.create({
    metadata: { name: 'minutely', namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
    },
  } as unknown as CronJob);
  const createdAt = timeOf(created.metadata?.creationTimestamp)?.getTime() ?? Date.now();
  const expected = (Math.floor(createdAt / 60_000) + 1) * 60_000;
  await eventually('the Job', async () => (await cs.batchV1.jobs.list({ namespace: 'default' })).items.length > 0, 75_000);
  const names = (await cs.batchV1.jobs.list({ namespace: 'default' })).items.map((j) => j.metadata?.name);
  assert.deepEqual(names, [`minutely-${expected / 60_000}`]);
  assert.ok(Date.now() >= expected, 'not before the scheduled minute');
});
