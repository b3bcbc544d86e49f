/**
 * Acceptance for the components: `npm start -- --simulated-nodes 3` as a user runs it, then
 * kubectl and helm as a user drives them. Deployments roll out (and back) within
 * maxSurge/maxUnavailable, Jobs complete, a CronJob makes its Job, Services get Endpoints and
 * EndpointSlices, StatefulSets start in order, and `helm install --wait` returns.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { OPEN_ACCESS_FLAGS } from '../helpers/server.js';
import { runKubectl, type KubectlResult } from '../helpers/kubectl.js';
import { layerBinary } from '../helpers/layer-binaries.js';
import { eventuallyPasses } from '../helpers/eventually.js';

let proc: ServerProcess;
let dataDir: string;
let kubeconfig: string;

async function k(...args: string[]): Promise<KubectlResult> {
  return runKubectl(33, kubeconfig, args);
}
async function ok(...args: string[]): Promise<string> {
  const r = await k(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
async function get(path: string): Promise<any> {
  const res = await fetch(proc.url + path, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}
const time = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wheelhouse-cluster-'));
  proc = await startServerProcess(['--data-dir', dataDir, '--port', '0', '--grpc-port', '0', '--simulated-nodes', '3', ...OPEN_ACCESS_FLAGS], 120_000);
  kubeconfig = join(dataDir, 'kubeconfig');
  // Created first, so its minute passes while the other tests run.
  await ok('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/1 * * * *');
});
after(async () => {
  await proc?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('with --simulated-nodes 3', () => {
  it('three nodes register Ready', async () => {
    await eventuallyPasses(async () => {
      const nodes = await get('/api/v1/nodes');
      assert.deepEqual(nodes.items.map((n: any) => n.metadata.name).sort(), ['node-1', 'node-2', 'node-3']);
      for (const n of nodes.items) assert.equal(n.status.conditions.find((c: any) => c.type === 'Ready')?.status, 'True');
    }, 30_000);
  });

  it('a Deployment reaches 3/3, rolls a new image within maxSurge/maxUnavailable, and rolls back', async () => {
    await ok('create', 'deployment', 'web', '--image=nginx', '--replicas=3');
    const status = await ok('rollout', 'status', 'deployment/web', '--timeout=90s');
    assert.match(status, /deployment "web" successfully rolled out/);
    const ready = await ok('get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}/{.spec.replicas}');
    assert.equal(ready, '3/3');
    const firstRs = (await get('/apis/apps/v1/namespaces/default/replicasets')).items.filter((r: any) => r.metadata.ownerReferences?.[0]?.name === 'web');
    assert.equal(firstRs.length, 1);

    // Defaults: maxSurge 25% (rounded up: 1), maxUnavailable 25% (rounded down: 0) of 3.
    let sampling = true;
    const violations: string[] = [];
    const sampler = (async () => {
      while (sampling) {
        const pods = (await get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items.filter((p: any) => !p.metadata.deletionTimestamp);
        const available = pods.filter((p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
        if (pods.length > 4) violations.push(`${pods.length} pods`);
        if (available < 3) violations.push(`${available} available`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await ok('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=90s'), /successfully rolled out/);
    sampling = false;
    await sampler;
    assert.deepEqual(violations, []);
    const sets = (await get('/apis/apps/v1/namespaces/default/replicasets')).items.filter((r: any) => r.metadata.ownerReferences?.[0]?.name === 'web');
    assert.equal(sets.length, 2);
    const byImage = Object.fromEntries(sets.map((r: any) => [r.spec.template.spec.containers[0].image, r]));
    assert.equal(byImage['nginx:1.27'].spec.replicas, 3);
    assert.equal(byImage.nginx.spec.replicas, 0);
    assert.equal(byImage['nginx:1.27'].metadata.annotations['deployment.kubernetes.io/revision'], '2');

    await ok('rollout', 'undo', 'deployment/web');
    assert.match(await ok('rollout', 'status', 'deployment/web', '--timeout=90s'), /successfully rolled out/);
    const back = await get('/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(back.spec.template.spec.containers[0].image, 'nginx');
    const original = await get(`/apis/apps/v1/namespaces/default/replicasets/${firstRs[0].metadata.name}`);
    assert.equal(original.spec.replicas, 3, 'the first ReplicaSet is scaled back up');
    assert.equal(original.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  it('a Service gets Endpoints and an EndpointSlice for the ready pods', async () => {
    await ok('expose', 'deployment', 'web', '--port=80');
    await eventuallyPasses(async () => {
      const pods = (await get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items.filter((p: any) => !p.metadata.deletionTimestamp && p.status.podIP);
      const ep = await get('/api/v1/namespaces/default/endpoints/web');
      assert.deepEqual(ep.subsets?.[0]?.addresses?.map((a: any) => a.ip).sort(), pods.map((p: any) => p.status.podIP).sort());
      assert.equal(pods.length, 3);
      assert.deepEqual(ep.subsets[0].ports, [{ port: 80, protocol: 'TCP' }]);
      const slices = (await get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb')).items;
      assert.equal(slices.length, 1);
      assert.deepEqual(slices[0].endpoints.map((e: any) => e.addresses[0]).sort(), pods.map((p: any) => p.status.podIP).sort());
      for (const e of slices[0].endpoints) assert.equal(e.conditions.ready, true);
    }, 30_000);
  });

  it('kubectl create job completes', async () => {
    await ok('create', 'job', 'pi', '--image=busybox');
    await ok('wait', '--for=condition=complete', 'job/pi', '--timeout=60s');
    const job = await get('/apis/batch/v1/namespaces/default/jobs/pi');
    assert.equal(job.status.succeeded, 1);
    assert.ok(job.status.completionTime);
  });

  it('a StatefulSet creates web-0, then web-1 once web-0 is ready', async () => {
    const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: { app: sts-web }
  template:
    metadata:
      labels: { app: sts-web }
    spec:
      containers:
      - name: web
        image: nginx
`;
    const r = await runKubectl(33, kubeconfig, ['apply', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await ok('rollout', 'status', 'statefulset/web', '--timeout=90s'), /partitioned roll out complete: 2 new pods have been updated|statefulset rolling update complete 2 pods at revision/);
    const w0 = await get('/api/v1/namespaces/default/pods/web-0');
    const w1 = await get('/api/v1/namespaces/default/pods/web-1');
    const ready0 = w0.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready0.status, 'True');
    assert.ok(time(w1.metadata.creationTimestamp) >= time(ready0.lastTransitionTime), 'web-1 was created after web-0 became Ready');
  });

  it('helm install --wait of a chart returns once its Deployment is ready', async () => {
    const home = mkdtempSync(join(tmpdir(), 'helm-home-'));
    const chart = join(home, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: waiter\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'templates', 'deploy.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 2
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: { app: {{ .Release.Name }} }
  ports: [{ port: 80 }]
`);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: join(home, 'c'), XDG_CONFIG_HOME: join(home, 'f'), XDG_DATA_HOME: join(home, 'd') };
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(layerBinary(33, 'helm'), ['install', 'waiter', chart, '--wait', '--timeout', '90s', '--kubeconfig', kubeconfig, '--namespace', 'default'], { env, timeout: 120_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr });
      });
    });
    rmSync(home, { recursive: true, force: true });
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /STATUS: deployed/);
    const d = await get('/apis/apps/v1/namespaces/default/deployments/waiter');
    assert.equal(d.status.readyReplicas, 2);
  });

  it('a CronJob every minute creates its Job', async () => {
    await eventuallyPasses(async () => {
      const jobs = (await get('/apis/batch/v1/namespaces/default/jobs')).items.filter((j: any) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob' && j.metadata.ownerReferences[0].name === 'tick');
      assert.equal(jobs.length >= 1, true, 'a Job owned by the CronJob');
      assert.match(jobs[0].metadata.name, /^tick-\d+$/);
    }, 75_000);
    const cj = await get('/apis/batch/v1/namespaces/default/cronjobs/tick');
    assert.ok(cj.status.lastScheduleTime);
  });
});
