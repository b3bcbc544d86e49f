/**
 * Two kube-scheduler processes (`npm run scheduler`) on one Lease: only the leader binds; killed
 * with SIGKILL (no release), the standby takes over within the lease duration and binds the rest.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClientset } from '../helpers/clientset.js';
import { eventuallyPasses } from '../helpers/eventually.js';
import type { Clientset } from '../../src/client/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let s: TestServer;
let cs: Clientset;
let dir: string;
const schedulers = new Map<string, ChildProcess>();

before(async () => {
  s = await startTestServer();
  cs = testClientset(s.server);
  dir = await mkdtemp(join(tmpdir(), 'wheelhouse-sched-'));
  await writeFile(join(dir, 'ca.crt'), s.server.pki.trustedCaPem);
  await writeFile(join(dir, 'admin.crt'), s.server.pki.admin.certPem);
  await writeFile(join(dir, 'admin.key'), s.server.pki.admin.keyPem);
  for (const n of ['n1', 'n2', 'n3']) {
    await cs.coreV1.nodes.create({
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
      status: { allocatable: { cpu: { string: '2' }, memory: { string: '4Gi' }, pods: { string: '110' } }, capacity: { cpu: { string: '2' }, memory: { string: '4Gi' }, pods: { string: '110' } }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
});
after(async () => {
  for (const p of schedulers.values()) p.kill('SIGKILL');
  cs.close();
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

function startScheduler(identity: string): void {
  const args = ['--import', 'tsx', 'src/components/scheduler/main.ts', '--server', s.server.grpcAddress, '--ca-file', join(dir, 'ca.crt'), '--cert-file', join(dir, 'admin.crt'), '--key-file', join(dir, 'admin.key'),
    '--identity', identity, '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '--no-deprecation' } });
  schedulers.set(identity, child);
}

const pod = (name: string) => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: { string: '250m' }, memory: { string: '256Mi' } } } }] },
});

async function holder(): Promise<string | undefined> {
  try {
    return (await cs.coordinationV1.leases.get('kube-scheduler', { namespace: 'kube-system' })).spec?.holderIdentity;
  } catch {
    return undefined;
  }
}

test('killing the leading scheduler hands over to the standby, which binds the rest', async () => {
  startScheduler('sched-a');
  startScheduler('sched-b');
  let leader: string | undefined;
  await eventuallyPasses(async () => {
    leader = await holder();
    assert.ok(leader === 'sched-a' || leader === 'sched-b', `lease holder ${leader}`);
  }, 60_000);
  for (let i = 0; i < 6; i++) await cs.coreV1.pods.create(pod(`before-${i}`));
  await eventuallyPasses(async () => {
    const pods = (await cs.coreV1.pods.list({ namespace: 'default' })).items.filter((p) => p.metadata?.name?.startsWith('before-'));
    assert.deepEqual(pods.filter((p) => !p.spec?.nodeName).map((p) => p.metadata?.name), []);
  }, 30_000);
  const standby = leader === 'sched-a' ? 'sched-b' : 'sched-a';
  schedulers.get(leader as string)?.kill('SIGKILL');
  const killed = Date.now();
  for (let i = 0; i < 6; i++) await cs.coreV1.pods.create(pod(`after-${i}`));
  await eventuallyPasses(async () => {
    const pods = (await cs.coreV1.pods.list({ namespace: 'default' })).items.filter((p) => p.metadata?.name?.startsWith('after-'));
    assert.deepEqual(pods.filter((p) => !p.spec?.nodeName).map((p) => p.metadata?.name), []);
  }, 30_000);
  const handover = Date.now() - killed;
  assert.equal(await holder(), standby);
  assert.ok(handover < 3_000 + 6_000, `bound after ${handover} ms (lease 3 s)`);
  const lease = await cs.coordinationV1.leases.get('kube-scheduler', { namespace: 'kube-system' });
  assert.equal(lease.spec?.leaseTransitions, 1);
  // No node over-committed: 12 pods of 250m on 3 nodes of 2 CPUs.
  const all = (await cs.coreV1.pods.list({ namespace: 'default' })).items;
  const perNode = new Map<string, number>();
  for (const p of all) perNode.set(p.spec?.nodeName ?? '', (perNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  for (const [node, count] of perNode) assert.ok(count * 250 <= 2000, `${node}: ${count} pods`);
  // The standby recorded one Scheduled event per pod it bound; no pod has two (the killed leader may
  // have died between a binding and its event).
  await eventuallyPasses(async () => {
    const scheduled = (await cs.coreV1.events.list({ namespace: 'default', fieldSelector: 'reason=Scheduled' })).items;
    const names = scheduled.map((e) => e.involvedObject?.name ?? '');
    assert.equal(new Set(names).size, names.length, `a pod scheduled twice: ${names.join(' ')}`);
    assert.deepEqual(names.filter((n) => n.startsWith('after-')).sort(), ['after-0', 'after-1', 'after-2', 'after-3', 'after-4', 'after-5']);
  }, 10_000);
});
