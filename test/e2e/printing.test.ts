/**
 * Printing as upstream's printers (pkg/printers/internalversion/printers.go, 1.33), through
 * kubectl 1.33: Pod STATUS/READY/RESTARTS from container states, Event LAST SEEN and its
 * wide columns, Job STATUS/COMPLETIONS/DURATION, CronJob LAST SCHEDULE, Node STATUS/ROLES,
 * and the workloads' wide Containers/Images/Selector. Status is set through `/status`.
 * Ages the server stamps (creationTimestamp) are matched as `<age>` (a few seconds); every
 * other cell is exact (times are chosen where HumanDuration prints whole units, so a second
 * or two of test time does not change them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl } from '../helpers/kubectl.js';

const MINOR = 33;
const NS = 'printing';

/** An RFC 3339 time `seconds` ago, at second precision as Kubernetes stores it. */
const ago = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

let ts: TestServer;

async function ok(method: string, path: string, body?: unknown): Promise<any> {
  const r = await api(ts.server, method, path, body);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates an object, then replaces its status through `/status`. */
async function withStatus(collection: string, obj: any, status: unknown): Promise<void> {
  const created = await ok('POST', collection, obj);
  await ok('PUT', `${collection}/${created.metadata.name}/status`, { ...created, status });
}

async function get(args: string[]): Promise<string[]> {
  const r = await runKubectl(MINOR, ts.server.kubeconfigPath, ['get', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trimEnd().split('\n');
}

/** Lays out rows as kubectl's tab writer does: columns padded to their widest cell plus three spaces (six at least), the last unpadded. */
function layout(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 3);
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(Math.max(widths[i], 6)))).join(''));
}

/**
 * Asserts kubectl's printed table line by line: `expected` holds every cell, `<age>` standing
 * for a server-stamped age (a few seconds, read back from the output under the AGE header).
 */
function assertTable(actual: string[], expected: string[][]): void {
  const header = actual[0] ?? '';
  const ageAt = header.search(/(^|\s)AGE(\s|$)/) + (header.startsWith('AGE') ? 0 : 1);
  const rows = expected.map((row, i) =>
    row.map((cell) => {
      if (cell !== '<age>') return cell;
      const age = /^\d+s/.exec((actual[i] ?? '').slice(ageAt))?.[0];
      assert.ok(age, `no age under AGE in line ${i}:\n${actual.join('\n')}`);
      return age;
    }),
  );
  assert.deepEqual(actual, layout(rows));
}

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});

const running = { running: { startedAt: ago(3600) } };
const readyApp = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'nginx', imageID: '', ready: true, restartCount: 0, started: true, state: running, ...extra });
const cond = (type: string, status: string) => ({ type, status });

describe('printing as upstream (kubectl 1.33)', () => {
  before(async () => {
    ts = await startTestServer();
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => ts?.stop());

  it('prints Pod STATUS, READY and RESTARTS from container states, and the wide columns', async () => {
    const P = `/api/v1/namespaces/${NS}/pods`;
    const init = { initContainers: [{ name: 'setup', image: 'busybox' }] };
    const initStatus = (state: unknown) => ({ initContainerStatuses: [{ name: 'setup', image: 'busybox', imageID: '', ready: false, restartCount: 0, state }] });
    const appStatus = (state: unknown, extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state, ...extra });
    const waitingApp = { containerStatuses: [appStatus({ waiting: { reason: 'PodInitializing' } })] };
    // A container restarted 3 times, last stopped 12 minutes ago, now backing off.
    await withStatus(P, pod('a-crash'), {
      phase: 'Running',
      containerStatuses: [appStatus({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } }, { restartCount: 3, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(12 * 60) } } })],
    });
    // Init containers: running (Init:0/1), waiting with a reason, killed by a signal, failed with an exit code.
    await withStatus(P, pod('b-init', init), { phase: 'Pending', ...initStatus(running), ...waitingApp });
    await withStatus(P, pod('c-initpull', init), { phase: 'Pending', ...initStatus({ waiting: { reason: 'ErrImagePull' } }), ...waitingApp });
    await withStatus(P, pod('d-initsignal', init), { phase: 'Pending', ...initStatus({ terminated: { exitCode: 137, signal: 9 } }), ...waitingApp });
    await withStatus(P, pod('e-initexit', init), { phase: 'Pending', ...initStatus({ terminated: { exitCode: 1 } }), ...waitingApp });
    // Terminated containers: reason, signal, exit code.
    await withStatus(P, pod('f-done'), { phase: 'Succeeded', containerStatuses: [appStatus({ terminated: { exitCode: 0, reason: 'Completed' } })] });
    await withStatus(P, pod('g-error'), { phase: 'Failed', containerStatuses: [appStatus({ terminated: { exitCode: 1, reason: 'Error' } })] });
    await withStatus(P, pod('h-signal'), { phase: 'Failed', containerStatuses: [appStatus({ terminated: { exitCode: 137, signal: 9 } })] });
    await withStatus(P, pod('i-exit'), { phase: 'Failed', containerStatuses: [appStatus({ terminated: { exitCode: 2 } })] });
    // One container completed, one still running: NotReady without the Ready condition, Running with it.
    const two = { containers: [{ name: 'app', image: 'nginx' }, { name: 'job', image: 'busybox' }] };
    const twoStatuses = [readyApp(), { name: 'job', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
    await withStatus(P, pod('j-notready', two), { phase: 'Running', conditions: [cond('Ready', 'False')], containerStatuses: twoStatuses });
    await withStatus(P, pod('k-partly', two), { phase: 'Running', conditions: [cond('Ready', 'True')], containerStatuses: twoStatuses });
    // Running, scheduled, with an IP, a nominated node and one of two readiness gates met.
    await withStatus(P, pod('l-running', { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] }), {
      phase: 'Running',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      nominatedNodeName: 'node-2',
      conditions: [cond('Ready', 'True'), cond('example.com/a', 'True'), cond('example.com/b', 'False')],
      containerStatuses: [readyApp()],
    });
    // A sidecar (restartable init container) counts in READY and RESTARTS once the pod is initialized.
    await withStatus(P, pod('m-sidecar', { initContainers: [{ name: 'log', image: 'busybox', restartPolicy: 'Always' }] }), {
      phase: 'Running',
      conditions: [cond('Initialized', 'True'), cond('Ready', 'True')],
      initContainerStatuses: [{ name: 'log', image: 'busybox', imageID: '', ready: true, started: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * 60) } } }],
      containerStatuses: [readyApp({ restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(12 * 60) } } })],
    });
    // Waiting on scheduling gates.
    await withStatus(P, pod('m2-gated', { schedulingGates: [{ name: 'example.com/quota' }] }), {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }],
    });
    // Deleted while running: Terminating; deleted after its node was lost: Unknown.
    // (Scheduled pods delete gracefully; unscheduled ones would go at once.)
    await withStatus(P, pod('n-terminating', { nodeName: 'node-1' }), { phase: 'Running', containerStatuses: [readyApp()] });
    await withStatus(P, pod('o-nodelost', { nodeName: 'node-1' }), { phase: 'Running', reason: 'NodeLost', containerStatuses: [readyApp()] });
    // A pod in a terminal phase keeps its status while it is being deleted (here held by a finalizer,
    // as terminal pods go at once otherwise).
    await withStatus(P, { ...pod('p-done-deleted', { nodeName: 'node-1' }), metadata: { name: 'p-done-deleted', finalizers: ['example.com/hold'] } }, { phase: 'Succeeded', containerStatuses: [appStatus({ terminated: { exitCode: 0, reason: 'Completed' } })] });
    await ok('DELETE', `${P}/p-done-deleted`);
    await ok('DELETE', `${P}/n-terminating`);
    await ok('DELETE', `${P}/o-nodelost`);

    const none = ['<none>', '<none>', '<none>', '<none>'];
    assertTable(await get(['pods', '-n', NS, '-o', 'wide']), [
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
      ['a-crash', '0/1', 'CrashLoopBackOff', '3 (12m ago)', '<age>', ...none],
      ['b-init', '0/1', 'Init:0/1', '0', '<age>', ...none],
      ['c-initpull', '0/1', 'Init:ErrImagePull', '0', '<age>', ...none],
      ['d-initsignal', '0/1', 'Init:Signal:9', '0', '<age>', ...none],
      ['e-initexit', '0/1', 'Init:ExitCode:1', '0', '<age>', ...none],
      ['f-done', '0/1', 'Completed', '0', '<age>', ...none],
      ['g-error', '0/1', 'Error', '0', '<age>', ...none],
      ['h-signal', '0/1', 'Signal:9', '0', '<age>', ...none],
      ['i-exit', '0/1', 'ExitCode:2', '0', '<age>', ...none],
      ['j-notready', '1/2', 'NotReady', '0', '<age>', ...none],
      ['k-partly', '1/2', 'Running', '0', '<age>', ...none],
      ['l-running', '1/1', 'Running', '0', '<age>', '10.244.0.7', 'node-1', 'node-2', '1/2'],
      ['m-sidecar', '2/2', 'Running', '3 (12m ago)', '<age>', ...none],
      ['m2-gated', '0/1', 'SchedulingGated', '0', '<age>', ...none],
      ['n-terminating', '1/1', 'Terminating', '0', '<age>', '<none>', 'node-1', '<none>', '<none>'],
      ['o-nodelost', '1/1', 'Unknown', '0', '<age>', '<none>', 'node-1', '<none>', '<none>'],
      ['p-done-deleted', '0/1', 'Completed', '0', '<age>', '<none>', 'node-1', '<none>', '<none>'],
    ]);
  });

  it("prints events' LAST SEEN from the series, lastTimestamp, eventTime, and the wide columns", async () => {
    const E = `/api/v1/namespaces/${NS}/events`;
    const involved = { kind: 'Pod', namespace: NS, name: 'web', fieldPath: 'spec.containers{app}' };
    await ok('POST', E, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'a-legacy' }, involvedObject: involved, reason: 'BackOff', type: 'Warning',
      message: 'Back-off restarting failed container  ', source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(3 * 3600), lastTimestamp: ago(15 * 60), count: 7,
    });
    await ok('POST', E, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'b-once' }, involvedObject: { kind: 'ReplicaSet', namespace: NS, name: 'web-1' }, reason: 'Starting', type: 'Normal',
      message: 'Starting kubelet.', source: { component: 'kubelet' }, firstTimestamp: ago(20 * 60),
    });
    await ok('POST', E, {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'c-series' }, involvedObject: involved, reason: 'Pulled', type: 'Normal', message: 'pulled',
      eventTime: new Date(Date.now() - 2 * 3600_000).toISOString().replace('Z', '000Z'), series: { count: 4, lastObservedTime: new Date(Date.now() - 45 * 60_000).toISOString().replace('Z', '000Z') },
      reportingComponent: 'kubelet', reportingInstance: 'node-2', action: 'Pull',
    });
    assertTable(await get(['events', '-n', NS]), [
      ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      ['15m', 'Warning', 'BackOff', 'pod/web', 'Back-off restarting failed container'],
      ['20m', 'Normal', 'Starting', 'replicaset/web-1', 'Starting kubelet.'],
      ['45m', 'Normal', 'Pulled', 'pod/web', 'pulled'],
    ]);
    assertTable(await get(['events', '-n', NS, '-o', 'wide']), [
      ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
      ['15m', 'Warning', 'BackOff', 'pod/web', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container', '3h', '7', 'a-legacy'],
      ['20m', 'Normal', 'Starting', 'replicaset/web-1', '', 'kubelet', 'Starting kubelet.', '20m', '1', 'b-once'],
      ['45m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, node-2', 'pulled', '120m', '4', 'c-series'],
    ]);
  });

  it('prints Job STATUS, COMPLETIONS and DURATION, and the wide columns', async () => {
    const J = `/apis/batch/v1/namespaces/${NS}/jobs`;
    const job = (name: string, spec: Record<string, unknown> = {}) => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
      spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }, { name: 'side', image: 'alpine' }] } } },
    });
    await withStatus(J, job('a-running', { completions: 3 }), { startTime: ago(20 * 60), active: 1, succeeded: 1 });
    await withStatus(J, job('b-complete'), {
      startTime: ago(7200), completionTime: ago(7200 - 95), succeeded: 1,
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: ago(7200 - 95) },
        { type: 'Complete', status: 'True', lastTransitionTime: ago(7200 - 95) },
      ],
    });
    await ok('POST', J, job('c-suspended', { suspend: true, parallelism: 2 }));
    const lines = await get(['jobs', '-n', NS, '-o', 'wide']);
    const uid = (name: string) => ok('GET', `${J}/${name}`).then((j: any) => j.metadata.uid as string);
    const [a, b, c] = await Promise.all([uid('a-running'), uid('b-complete'), uid('c-suspended')]);
    const sel = (uid: string) => `batch.kubernetes.io/controller-uid=${uid}`;
    assertTable(lines, [
      ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['a-running', 'Running', '1/3', '20m', '<age>', 'work,side', 'busybox,alpine', sel(a)],
      ['b-complete', 'Complete', '1/1', '95s', '<age>', 'work,side', 'busybox,alpine', sel(b)],
      ['c-suspended', 'Running', '0/1 of 2', '', '<age>', 'work,side', 'busybox,alpine', sel(c)],
    ]);
  });

  it('prints CronJob SCHEDULE, TIMEZONE, SUSPEND, ACTIVE and LAST SCHEDULE', async () => {
    const C = `/apis/batch/v1/namespaces/${NS}/cronjobs`;
    const cron = (name: string, spec: Record<string, unknown> = {}) => ({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
      spec: { schedule: '*/5 * * * *', ...spec, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'busybox' }] } } } } },
    });
    await withStatus(C, cron('a-scheduled', { timeZone: 'Etc/UTC' }), {
      lastScheduleTime: ago(30 * 3600),
      active: [{ apiVersion: 'batch/v1', kind: 'Job', namespace: NS, name: 'a-scheduled-1' }],
    });
    await ok('POST', C, cron('b-never', { suspend: true }));
    assertTable(await get(['cronjobs', '-n', NS, '-o', 'wide']), [
      ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['a-scheduled', '*/5 * * * *', 'Etc/UTC', 'False', '1', '30h', '<age>', 'tick', 'busybox', '<none>'],
      ['b-never', '*/5 * * * *', '<none>', 'True', '0', '<none>', '<age>', 'tick', 'busybox', '<none>'],
    ]);
  });

  it('prints Node STATUS and ROLES, and the wide columns', async () => {
    const N = '/api/v1/nodes';
    const node = (name: string, labels: Record<string, string>, unschedulable = false) => ({
      apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: unschedulable ? { unschedulable: true } : {},
    });
    const info = { kubeletVersion: 'v1.33.1', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.7.13' };
    const blank = { machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' };
    await withStatus(N, node('a-control', { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' }, true), {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'a-control' }, { type: 'InternalIP', address: '192.168.1.10' }, { type: 'ExternalIP', address: '203.0.113.10' }],
      nodeInfo: { ...blank, ...info },
    });
    await withStatus(N, node('b-worker', { 'node-role.kubernetes.io/worker': 'yes' }), {
      conditions: [{ type: 'Ready', status: 'False' }],
      addresses: [{ type: 'InternalIP', address: '192.168.1.11' }],
      nodeInfo: { ...blank, kubeletVersion: 'v1.32.4' },
    });
    await ok('POST', N, node('c-new', { 'kubernetes.io/role': '' }));
    assertTable(await get(['nodes', '-o', 'wide']), [
      ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
      ['a-control', 'Ready,SchedulingDisabled', 'control-plane,master', '<age>', 'v1.33.1', '192.168.1.10', '203.0.113.10', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.7.13'],
      ['b-worker', 'NotReady', 'worker', '<age>', 'v1.32.4', '192.168.1.11', '<none>', '<unknown>', '<unknown>', '<unknown>'],
      ['c-new', 'Unknown', '<none>', '<age>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    ]);
  });

  it('prints the replicated workloads’ wide columns, endpoints port by port, and the audited kinds', async () => {
    const tpl = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } };
    await ok('POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'db' }, spec: { replicas: 3, selector: { matchLabels: { app: 'db' } }, template: tpl } });
    await ok('POST', `/api/v1/namespaces/${NS}/replicationcontrollers`, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'db' }, spec: { replicas: 1, template: tpl } });
    await ok('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'db' }, spec: { selector: { matchLabels: { app: 'db' } }, template: tpl } });
    assertTable(await get(['replicasets', '-n', NS, '-o', 'wide']), [
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['db', '3', '0', '0', '<age>', 'db', 'postgres:16', 'app=db'],
    ]);
    assertTable(await get(['replicationcontrollers', '-n', NS, '-o', 'wide']), [
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['db', '1', '0', '0', '<age>', 'db', 'postgres:16', 'app=db'],
    ]);
    assertTable(await get(['daemonsets', '-n', NS, '-o', 'wide']), [
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['db', '0', '0', '0', '0', '0', '<none>', '<age>', 'db', 'postgres:16', 'app=db'],
    ]);
    // Endpoints list each port with every address (formatEndpoints), three at most.
    await ok('POST', `/api/v1/namespaces/${NS}/endpoints`, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db' },
      subsets: [{ addresses: [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }], ports: [{ name: 'pg', port: 5432 }, { name: 'metrics', port: 9187 }] }],
    });
    assertTable(await get(['endpoints', 'db', '-n', NS]), [
      ['NAME', 'ENDPOINTS', 'AGE'],
      ['db', '10.1.0.1:5432,10.1.0.2:5432,10.1.0.1:9187 + 1 more...', '<age>'],
    ]);
    // Quotas print Age last in 1.33; LimitRanges have no printer upstream (Name and Created At).
    // The quota controller reports what its own namespace holds: one Pod limited to 500m.
    const QNS = 'printing-quota';
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: QNS } });
    await ok('POST', `/api/v1/namespaces/${QNS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '500m' } } }] } });
    await ok('POST', `/api/v1/namespaces/${QNS}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '4', 'limits.cpu': '2' } } });
    for (let i = 0; i < 100; i++) {
      const q = await api(ts.server, 'GET', `/api/v1/namespaces/${QNS}/resourcequotas/q`);
      if (q.body.status?.used?.pods === '1') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertTable(await get(['resourcequotas', '-n', QNS]), [
      ['NAME', 'REQUEST', 'LIMIT', 'AGE'],
      ['q', 'pods: 1/4', 'limits.cpu: 500m/2', '<age>'],
    ]);
    const lr = await ok('POST', `/api/v1/namespaces/${NS}/limitranges`, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } });
    assert.deepEqual(await get(['limitranges', '-n', NS]), ['NAME   CREATED AT', `lr     ${lr.metadata.creationTimestamp}`]);
    // Ingress hosts: three at most, "+ N more..." counting every further rule; the address sorted and unique.
    const rule = (host?: string) => ({ ...(host ? { host } : {}), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } });
    await withStatus(
      `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`,
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'front' }, spec: { tls: [{ hosts: ['a.example.com'] }], rules: [rule('a.example.com'), rule('b.example.com'), rule(), rule('c.example.com'), rule('d.example.com')] } },
      { loadBalancer: { ingress: [{ ip: '10.0.0.9' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.10' }, { ip: '10.0.0.9' }] } },
    );
    assertTable(await get(['ingresses', '-n', NS]), [
      ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
      ['front', '<none>', 'a.example.com,b.example.com,c.example.com + 2 more...', '10.0.0.10,10.0.0.9,lb.example.com', '80, 443', '<age>'],
    ]);
    // The default StorageClass is marked after its name.
    await ok('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/ssd',
    });
    assertTable(await get(['storageclasses', 'fast']), [
      ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
      ['fast (default)', 'example.com/ssd', 'Delete', 'Immediate', 'false', '<age>'],
    ]);
  });

  it('prints the workloads’ wide Containers, Images and Selector columns', async () => {
    const D = `/apis/apps/v1/namespaces/${NS}/deployments`;
    await ok('POST', D, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
        template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit' }] } },
      },
    });
    assertTable(await get(['deployments', '-n', NS, '-o', 'wide']), [
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['web', '0/2', '0', '0', '<age>', 'nginx,log', 'nginx:1.27,fluent-bit', 'app=web,tier in (be,fe)'],
    ]);
    await ok('POST', `/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { tier: 'fe', app: 'web' }, externalIPs: ['198.51.100.1'], ports: [{ port: 80, nodePort: 30080 }] },
    });
    const svc = await ok('GET', `/api/v1/namespaces/${NS}/services/web`);
    assertTable(await get(['services', 'web', '-n', NS, '-o', 'wide']), [
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
      ['web', 'NodePort', svc.spec.clusterIP, '198.51.100.1', '80:30080/TCP', '<age>', 'app=web,tier=fe'],
    ]);
  });
});
