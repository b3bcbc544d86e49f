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
import { startTestServer, bufCurlTarget } from '../helpers/server.js';

const run = promisify(execFile);
const BUF = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'buf');

const CASES = [
  {
    runtimeConfig: '',
    versions: ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1'],
    batch: ['cronjobs cj batch/v1 true CronJob', 'jobs batch/v1 true Job'],
    services: ['wheelhouse.batch.v1.CronJobService', 'wheelhouse.batch.v1.JobService', 'wheelhouse.batch.v1beta1.CronJobService'],
  },
  {
    runtimeConfig: 'batch/v2alpha1=true',
    versions: ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'batch/v1beta1', 'batch/v2alpha1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1'],
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
    versions: ['admissionregistration.k8s.io/v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1'],
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
        const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', ...bufCurlTarget(ts.server).flags, '--list-services', `${bufCurlTarget(ts.server).base}`]);
        const batch = stdout.trim().split('\n').filter((s) => s.startsWith('wheelhouse.batch.')).sort();
        assert.deepEqual(batch, c.services);
      } finally {
        await ts.stop();
      }
    });
  }
});

const OLDER_VERSIONS = `apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: beta, namespace: default}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: batch/v2alpha1
kind: ScheduledJob
metadata: {name: sched, namespace: default}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 4
  targetCPUUtilizationPercentage: 70
`;

describe('kubectl applies manifests in the older versions', () => {
  for (const minor of [31, 33]) {
    it(`kubectl 1.${minor}: batch/v1beta1, batch/v2alpha1 ScheduledJob and autoscaling/v1, validated and applied idempotently`, async () => {
      const ts = await startTestServer({ runtimeConfig: 'batch/v2alpha1=true' });
      try {
        const created = await runKubectl(minor, ts.server.kubeconfigPath, ['apply', '-f', '-'], OLDER_VERSIONS);
        assert.equal(created.code, 0, created.stderr);
        assert.deepEqual(created.stdout.trim().split('\n'), [
          'cronjob.batch/beta created',
          'scheduledjob.batch/sched created',
          'horizontalpodautoscaler.autoscaling/web created',
        ]);
        const again = await runKubectl(minor, ts.server.kubeconfigPath, ['apply', '-f', '-'], OLDER_VERSIONS);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(again.stdout.trim().split('\n'), [
          'cronjob.batch/beta unchanged',
          'scheduledjob.batch/sched unchanged',
          'horizontalpodautoscaler.autoscaling/web unchanged',
        ]);
        const cronJobs = await runKubectl(minor, ts.server.kubeconfigPath, ['get', 'cronjobs.batch', '-o', 'name']);
        assert.deepEqual(cronJobs.stdout.trim().split('\n'), ['cronjob.batch/beta', 'cronjob.batch/sched']);
        const hpa = await runKubectl(minor, ts.server.kubeconfigPath, ['get', 'horizontalpodautoscalers.v2.autoscaling', 'web', '-o', 'jsonpath={.spec.metrics[0].resource.target.averageUtilization}']);
        assert.equal(hpa.stdout, '70');
      } finally {
        await ts.stop();
      }
    });
  }
});
