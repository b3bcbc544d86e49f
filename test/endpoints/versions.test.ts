/**
 * Several versions of one resource, as the seed's example has them: batch/v1 beside
 * batch/v1beta1 (beta, on by default) and batch/v2alpha1 (alpha, off by default, where
 * CronJob is also served as ScheduledJob), and autoscaling/v1 beside autoscaling/v2.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScheduledJobServiceClient } from '../../gen/wheelhouse/batch/v2alpha1/services.js';
import { api, startTestServer, type TestServer, grpcCredentials } from '../helpers/server.js';
import { toJson, toMessage, unary } from '../parity/grpc-helpers.js';

/** The seed's `GET /apis/batch/v2alpha1`, as the document prints it. */
const SEED_V2ALPHA1 = [
  { name: 'cronjobs', namespaced: true, kind: 'CronJob' },
  { name: 'cronjobs/status', namespaced: true, kind: 'CronJob' },
  { name: 'jobs', namespaced: true, kind: 'Job' },
  { name: 'jobs/status', namespaced: true, kind: 'Job' },
  { name: 'scheduledjobs', namespaced: true, kind: 'ScheduledJob' },
  { name: 'scheduledjobs/status', namespaced: true, kind: 'ScheduledJob' },
];

type Resource = { name: string; namespaced: boolean; kind: string };
const seedShape = (body: { resources: Resource[] }): Resource[] => body.resources.map(({ name, namespaced, kind }) => ({ name, namespaced, kind }));

const JOB = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', labels: { app: 'pi' } },
  spec: {
    backoffLimit: 2,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'] }] } },
  },
};

describe('API versions by default', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it('serves batch/v1 and batch/v1beta1, not the alpha batch/v2alpha1', async () => {
    const v1 = await api(ts.server, 'GET', '/apis/batch/v1');
    assert.equal(v1.status, 200);
    assert.deepEqual(
      v1.body.resources.map((r: Resource) => r.name),
      ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'],
    );
    const beta = await api(ts.server, 'GET', '/apis/batch/v1beta1');
    assert.deepEqual(seedShape(beta.body), [
      { name: 'cronjobs', namespaced: true, kind: 'CronJob' },
      { name: 'cronjobs/status', namespaced: true, kind: 'CronJob' },
    ]);
    const alpha = await api(ts.server, 'GET', '/apis/batch/v2alpha1');
    assert.equal(alpha.status, 404);
    assert.equal(alpha.body.reason, 'NotFound');
    assert.equal(alpha.body.message, 'the server could not find the requested resource');
    const group = await api(ts.server, 'GET', '/apis/batch');
    assert.deepEqual(group.body.versions, [
      { groupVersion: 'batch/v1', version: 'v1' },
      { groupVersion: 'batch/v1beta1', version: 'v1beta1' },
    ]);
    assert.deepEqual(group.body.preferredVersion, { groupVersion: 'batch/v1', version: 'v1' });
    const routed = await api(ts.server, 'GET', '/apis/batch/v2alpha1/namespaces/default/scheduledjobs');
    assert.equal(routed.status, 404);
  });

  it('gives every served version of a resource the storage version hash', async () => {
    const v1 = await api(ts.server, 'GET', '/apis/batch/v1');
    const beta = await api(ts.server, 'GET', '/apis/batch/v1beta1');
    const hash = (body: { resources: Array<Resource & { storageVersionHash?: string }> }): string | undefined =>
      body.resources.find((r) => r.name === 'cronjobs')?.storageVersionHash;
    assert.equal(hash(beta.body), hash(v1.body));
    assert.equal(typeof hash(v1.body), 'string');
  });

  it('serves a CronJob written through batch/v1 as batch/v1beta1 and back', async () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: { schedule: '0 3 * * *', timeZone: 'Etc/UTC', jobTemplate: { spec: JOB.spec } },
    };
    const created = await api(ts.server, 'POST', '/apis/batch/v1/namespaces/default/cronjobs', cronJob);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const beta = await api(ts.server, 'GET', '/apis/batch/v1beta1/namespaces/default/cronjobs/nightly');
    assert.equal(beta.status, 200);
    assert.equal(beta.body.apiVersion, 'batch/v1beta1');
    assert.equal(beta.body.kind, 'CronJob');
    assert.deepEqual(beta.body.spec, created.body.spec);
    assert.deepEqual({ ...beta.body.metadata }, created.body.metadata);
    beta.body.spec.suspend = true;
    const updated = await api(ts.server, 'PUT', '/apis/batch/v1beta1/namespaces/default/cronjobs/nightly', beta.body);
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.apiVersion, 'batch/v1beta1');
    const v1 = await api(ts.server, 'GET', '/apis/batch/v1/namespaces/default/cronjobs/nightly');
    assert.equal(v1.body.spec.suspend, true);
    assert.equal(v1.body.spec.timeZone, 'Etc/UTC');
    const list = await api(ts.server, 'GET', '/apis/batch/v1beta1/namespaces/default/cronjobs');
    assert.equal(list.body.kind, 'CronJobList');
    assert.equal(list.body.apiVersion, 'batch/v1beta1');
    assert.deepEqual(
      list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['nightly'],
    );
  });

  it('keeps batch/v1beta1 out of discovery, OpenAPI and routes when turned off', async () => {
    const off = await startTestServer({ runtimeConfig: 'batch/v1beta1=false' });
    try {
      const group = await api(off.server, 'GET', '/apis/batch');
      assert.deepEqual(group.body.versions, [{ groupVersion: 'batch/v1', version: 'v1' }]);
      const aggregated = await api(off.server, 'GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
      const batch = aggregated.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'batch');
      assert.deepEqual(
        batch.versions.map((v: { version: string }) => v.version),
        ['v1'],
      );
      const index = await api(off.server, 'GET', '/openapi/v3');
      assert.ok(index.body.paths['apis/batch/v1']);
      assert.equal(index.body.paths['apis/batch/v1beta1'], undefined);
      assert.equal((await api(off.server, 'GET', '/openapi/v3/apis/batch/v1beta1')).status, 404);
      const routed = await api(off.server, 'GET', '/apis/batch/v1beta1/namespaces/default/cronjobs');
      assert.equal(routed.status, 404);
      assert.equal(routed.body.message, 'the server could not find the requested resource');
    } finally {
      await off.stop();
    }
  });
});

for (const runtimeConfig of ['batch/v2alpha1=true', 'api/alpha=true']) {
  describe(`API versions with --runtime-config ${runtimeConfig}`, () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer({ runtimeConfig });
    });
    after(async () => ts.stop());

    it("returns exactly the seed's batch/v2alpha1 resource list", async () => {
      const res = await api(ts.server, 'GET', '/apis/batch/v2alpha1');
      assert.equal(res.status, 200);
      assert.equal(res.body.kind, 'APIResourceList');
      assert.equal(res.body.groupVersion, 'batch/v2alpha1');
      assert.deepEqual(seedShape(res.body), SEED_V2ALPHA1);
      const group = await api(ts.server, 'GET', '/apis/batch');
      assert.deepEqual(
        group.body.versions.map((v: { version: string }) => v.version),
        ['v1', 'v1beta1', 'v2alpha1'],
      );
      assert.ok((await api(ts.server, 'GET', '/openapi/v3')).body.paths['apis/batch/v2alpha1']);
    });

    it('reads a Job created through batch/v1 back through batch/v2alpha1, and back', async () => {
      const ns = runtimeConfig.startsWith('api') ? 'alpha-all' : 'alpha-one';
      assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
      const created = await api(ts.server, 'POST', `/apis/batch/v1/namespaces/${ns}/jobs`, JOB);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const alpha = await api(ts.server, 'GET', `/apis/batch/v2alpha1/namespaces/${ns}/jobs/pi`);
      assert.equal(alpha.status, 200);
      assert.equal(alpha.body.apiVersion, 'batch/v2alpha1');
      assert.equal(alpha.body.kind, 'Job');
      const { apiVersion: _a, ...alphaRest } = alpha.body;
      const { apiVersion: _b, ...v1Rest } = created.body;
      assert.deepEqual(alphaRest, v1Rest);
      alpha.body.metadata.labels.tier = 'batch';
      const updated = await api(ts.server, 'PUT', `/apis/batch/v2alpha1/namespaces/${ns}/jobs/pi`, alpha.body);
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const back = await api(ts.server, 'GET', `/apis/batch/v1/namespaces/${ns}/jobs/pi`);
      assert.equal(back.body.apiVersion, 'batch/v1');
      assert.deepEqual(back.body.metadata.labels, { app: 'pi', tier: 'batch' });
      assert.deepEqual(back.body.spec, created.body.spec);
    });

    it('lists a CronJob created as a batch/v2alpha1 ScheduledJob as a batch/v1 CronJob', async () => {
      const ns = runtimeConfig.startsWith('api') ? 'sched-all' : 'sched-one';
      assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
      const scheduled = {
        apiVersion: 'batch/v2alpha1',
        kind: 'ScheduledJob',
        metadata: { name: 'legacy' },
        spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: JOB.spec } },
      };
      const created = await api(ts.server, 'POST', `/apis/batch/v2alpha1/namespaces/${ns}/scheduledjobs`, scheduled);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.kind, 'ScheduledJob');
      assert.equal(created.body.apiVersion, 'batch/v2alpha1');
      const list = await api(ts.server, 'GET', `/apis/batch/v1/namespaces/${ns}/cronjobs`);
      assert.equal(list.body.kind, 'CronJobList');
      assert.equal(list.body.apiVersion, 'batch/v1');
      assert.equal(list.body.items.length, 1);
      const [item] = list.body.items;
      assert.equal(item.metadata.name, 'legacy');
      assert.equal(item.metadata.uid, created.body.metadata.uid);
      assert.equal(item.spec.schedule, '*/5 * * * *');
      assert.equal(item.spec.concurrencyPolicy, 'Forbid');
      const asCronJob = await api(ts.server, 'GET', `/apis/batch/v2alpha1/namespaces/${ns}/cronjobs/legacy`);
      assert.equal(asCronJob.body.kind, 'CronJob');
      const wrongKind = await api(ts.server, 'POST', `/apis/batch/v2alpha1/namespaces/${ns}/scheduledjobs`, { ...scheduled, kind: 'CronJob' });
      assert.equal(wrongKind.status, 400);
    });

    it('watches through batch/v2alpha1 ScheduledJob what batch/v1 writes', async () => {
      const ns = runtimeConfig.startsWith('api') ? 'watch-all' : 'watch-one';
      assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
      const abort = new AbortController();
      const res = await fetch(`${ts.server.url}/apis/batch/v2alpha1/namespaces/${ns}/scheduledjobs?watch=true`, { signal: abort.signal });
      const reader = res.body!.getReader();
      const v1 = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'watched' }, spec: { schedule: '0 2 * * *', timeZone: 'UTC', jobTemplate: { spec: JOB.spec } } };
      assert.equal((await api(ts.server, 'POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, v1)).status, 201);
      let text = '';
      while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
      const event = JSON.parse(text.slice(0, text.indexOf('\n'))) as { type: string; object: Record<string, any> };
      assert.equal(event.type, 'ADDED');
      assert.equal(event.object.apiVersion, 'batch/v2alpha1');
      assert.equal(event.object.kind, 'ScheduledJob');
      assert.equal(event.object.metadata.name, 'watched');
      assert.equal(event.object.spec.timeZone, undefined);
      assert.equal(event.object.metadata.annotations['wheelhouse.dev/cronjob-time-zone'], 'UTC');
    });

    it('serves batch/v2alpha1 over gRPC through the same conversion', async () => {
      const ns = runtimeConfig.startsWith('api') ? 'grpc-all' : 'grpc-one';
      assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
      const client = new ScheduledJobServiceClient(ts.server.grpcAddress, grpcCredentials(ts.server));
      try {
        const object = toMessage('k8s.io.api.batch.v2alpha1.CronJob', {
          metadata: { name: 'over-grpc' },
          spec: { schedule: '0 4 * * *', jobTemplate: { spec: JOB.spec } },
        });
        const created = toJson('k8s.io.api.batch.v2alpha1.CronJob', await unary<object>((cb) => client.create({ namespace: ns, object }, cb)));
        assert.equal((created.metadata as { name: string }).name, 'over-grpc');
        assert.equal((created.spec as { schedule: string }).schedule, '0 4 * * *');
      } finally {
        client.close();
      }
      const v1 = await api(ts.server, 'GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/over-grpc`);
      assert.equal(v1.status, 200);
      assert.equal(v1.body.apiVersion, 'batch/v1');
      assert.equal(v1.body.spec.schedule, '0 4 * * *');
    });

    it('carries a batch/v1 timeZone through batch/v2alpha1 without losing it', async () => {
      const ns = runtimeConfig.startsWith('api') ? 'tz-all' : 'tz-one';
      assert.equal((await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
      const v1 = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'zoned' }, spec: { schedule: '0 1 * * *', timeZone: 'Europe/Paris', jobTemplate: { spec: JOB.spec } } };
      assert.equal((await api(ts.server, 'POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, v1)).status, 201);
      const alpha = await api(ts.server, 'GET', `/apis/batch/v2alpha1/namespaces/${ns}/scheduledjobs/zoned`);
      assert.equal(alpha.body.spec.timeZone, undefined);
      assert.equal(alpha.body.metadata.annotations['wheelhouse.dev/cronjob-time-zone'], 'Europe/Paris');
      alpha.body.spec.suspend = true;
      assert.equal((await api(ts.server, 'PUT', `/apis/batch/v2alpha1/namespaces/${ns}/scheduledjobs/zoned`, alpha.body)).status, 200);
      const back = await api(ts.server, 'GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/zoned`);
      assert.equal(back.body.spec.timeZone, 'Europe/Paris');
      assert.equal(back.body.spec.suspend, true);
      assert.equal(back.body.metadata.annotations, undefined);
    });
  });
}

describe('autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(async () => ts.stop());

  it("defaults each version as that version's defaults say", async () => {
    const target = { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, maxReplicas: 3 };
    const v2 = await api(ts.server, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'defaults-v2' },
      spec: target,
    });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    assert.deepEqual(v2.body.spec, {
      ...target,
      minReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    const v1 = await api(ts.server, 'POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'defaults-v1' },
      spec: target,
    });
    assert.equal(v1.status, 201, JSON.stringify(v1.body));
    assert.deepEqual(v1.body.spec, { ...target, minReplicas: 1, targetCPUUtilizationPercentage: 80 });
    // A patch that empties the metrics is defaulted again, as a decoded request is.
    const patched = await api(ts.server, 'PATCH', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/defaults-v2', { spec: { metrics: null } }, {
      'content-type': 'application/merge-patch+json',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.spec.metrics, v2.body.spec.metrics);
  });

  it('reads an HPA written through autoscaling/v1 back through v2 and v1 unchanged', async () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 65 },
    };
    const created = await api(ts.server, 'POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', v1);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.spec, v1.spec);
    assert.equal(created.body.metadata.annotations, undefined);
    const v2 = await api(ts.server, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    assert.equal(v2.body.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.body.spec, {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
    });
    // A v2 write that v1 cannot express, then a v1 read-modify-write: nothing is lost.
    v2.body.spec.metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } });
    assert.equal((await api(ts.server, 'PUT', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web', v2.body)).status, 200);
    const again = await api(ts.server, 'GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
    assert.equal(again.body.spec.targetCPUUtilizationPercentage, 65);
    assert.ok(again.body.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'].includes('memory'));
    again.body.spec.maxReplicas = 12;
    assert.equal((await api(ts.server, 'PUT', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web', again.body)).status, 200);
    const final = await api(ts.server, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    assert.equal(final.body.spec.maxReplicas, 12);
    assert.deepEqual(final.body.spec.metrics, v2.body.spec.metrics);
    assert.equal(final.body.metadata.annotations, undefined);
    const back = await api(ts.server, 'GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
    // managedFields move on with the last PUT (its time may fall in the next second); compared apart.
    const { annotations: _an, managedFields: backManaged, ...backMeta } = back.body.metadata;
    const { annotations: _an2, managedFields: _mf, ...againMeta } = again.body.metadata;
    assert.deepEqual(
      backManaged.map((e: { manager: string; operation: string; apiVersion: string }) => [e.manager, e.operation, e.apiVersion]),
      [['node', 'Update', 'autoscaling/v1'], ['node', 'Update', 'autoscaling/v2']],
    );
    assert.deepEqual({ ...backMeta, resourceVersion: '', generation: 0 }, { ...againMeta, resourceVersion: '', generation: 0 });
    assert.deepEqual(back.body.spec, { ...v1.spec, maxReplicas: 12 });
  });
});
