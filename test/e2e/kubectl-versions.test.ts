/**
 * Acceptance: what kubectl (1.33) and gRPC reflection see follows --runtime-config:
 * batch/v2alpha1 is off by default and on with batch/v2alpha1=true; batch/v1beta1 is on
 * by default and gone with batch/v1beta1=false.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer } from '../helpers/server.js';

const run = promisify(execFile);
const BUF = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'buf');

const CASES = [
  {
    runtimeConfig: '',
    versions: ['apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'v1'],
    batch: ['cronjobs cj batch/v1 true CronJob', 'jobs batch/v1 true Job'],
    services: ['wheelhouse.batch.v1.CronJobService', 'wheelhouse.batch.v1.JobService', 'wheelhouse.batch.v1beta1.CronJobService'],
  },
  {
    runtimeConfig: 'batch/v2alpha1=true',
    versions: ['apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'batch/v2alpha1', 'v1'],
    batch: ['cronjobs cj batch/v1 true CronJob', 'jobs batch/v1 true Job', 'scheduledjobs batch/v2alpha1 true ScheduledJob'],
    services: [
      'wheelhouse.batch.v1.CronJobService',
      'wheelhouse.batch.v1.JobService',
      'wheelhouse.batch.v1beta1.CronJobService',
      'wheelhouse.batch.v2alpha1.CronJobService',
      'wheelhouse.batch.v2alpha1.JobService',
      'wheelhouse.batch.v2alpha1.ScheduledJobService',
    ],
  },
  {
    runtimeConfig: 'batch/v1beta1=false',
    versions: ['apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'v1'],
    batch: ['cronjobs cj batch/v1 true CronJob', 'jobs batch/v1 true Job'],
    services: ['wheelhouse.batch.v1.CronJobService', 'wheelhouse.batch.v1.JobService'],
  },
];

describe('kubectl and gRPC follow --runtime-config', () => {
  for (const c of CASES) {
    it(`--runtime-config=${JSON.stringify(c.runtimeConfig)}`, async () => {
      const ts = await startTestServer({ runtimeConfig: c.runtimeConfig });
      try {
        const versions = await runKubectl(33, ts.server.kubeconfigPath, ['api-versions']);
        assert.equal(versions.code, 0, versions.stderr);
        assert.deepEqual(versions.stdout.trim().split('\n').sort(), c.versions);
        const resources = await runKubectl(33, ts.server.kubeconfigPath, ['api-resources', '--api-group=batch', '--no-headers']);
        assert.equal(resources.code, 0, resources.stderr);
        assert.deepEqual(
          resources.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).join(' ')),
          c.batch,
        );
        const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-services', `http://${ts.server.grpcAddress}`]);
        const batch = stdout.trim().split('\n').filter((s) => s.startsWith('wheelhouse.batch.')).sort();
        assert.deepEqual(batch, c.services);
      } finally {
        await ts.stop();
      }
    });
  }
});
