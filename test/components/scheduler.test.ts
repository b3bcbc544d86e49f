/**
 * The scheduler against a real server over the SDK: nodes created directly with their
 * allocatable, pods placed within their requests (never over-committing a node), upstream's
 * FailedScheduling messages and PodScheduled=False for pods that fit nowhere, taints and
 * tolerations, cordoned nodes, node affinity and pod anti-affinity by hostname, and retries when
 * nodes are added or pods go away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Node, type Taint } from '../../gen/k8s/io/api/core/v1/node.js';
import { Pod, type PodSpec } from '../../gen/k8s/io/api/core/v1/pod.js';
import type { Clientset } from '../../src/client/index.js';
import { runScheduler } from '../../src/components/scheduler/index.js';
import { reasonsHistogram } from '../../src/components/scheduler/fit-error.js';
import { matchesRequirement } from '../../src/components/common/node-selector.js';
import { podRequests } from '../../src/components/scheduler/resources.js';
import { SchedulingQueue } from '../../src/components/scheduler/queue.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function nodeObject(name: string, extra: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return Node.fromPartial({
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
    spec: { taints: extra.taints ?? [], unschedulable: extra.unschedulable },
    status: { allocatable: { cpu: { string: '2' }, memory: { string: '4Gi' }, pods: { string: '110' } }, capacity: { cpu: { string: '2' }, memory: { string: '4Gi' }, pods: { string: '110' } } },
  });
}

function podObject(name: string, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}, cpu = '300m', memory = '512Mi'): Pod {
  return Pod.fromPartial({
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: { string: cpu }, memory: { string: memory } } } }], ...spec },
  });
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('scheduler', () => {
  let s: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  let running: Promise<void>;

  async function createNode(node: Node): Promise<void> {
    const created = await cs.coreV1.nodes.create(node);
    if (!created.status?.allocatable?.cpu) await cs.coreV1.nodes.updateStatus({ ...created, status: node.status });
  }

  async function pods(): Promise<Pod[]> {
    return (await cs.coreV1.pods.list({ namespace: 'default' })).items;
  }

  async function eventsFor(name: string): Promise<{ reason: string; type: string; message: string; component: string }[]> {
    const list = await cs.coreV1.events.list({ namespace: 'default' });
    return list.items
      .filter((e) => e.involvedObject?.name === name && e.involvedObject?.kind === 'Pod')
      .map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', message: e.message ?? '', component: e.source?.component ?? '' }));
  }

  function scheduledCondition(p: Pod): { status?: string; reason?: string; message?: string } | undefined {
    const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
    return c && { status: c.status, reason: c.reason, message: c.message };
  }

  async function cleanUp(): Promise<void> {
    for (const p of await pods()) await cs.coreV1.pods.delete(p.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 });
    for (const n of (await cs.coreV1.nodes.list()).items) await cs.coreV1.nodes.delete(n.metadata!.name!);
    await eventually('pods and nodes gone', async () => (await pods()).length === 0 && (await cs.coreV1.nodes.list()).items.length === 0, 10_000);
  }

  before(async () => {
    s = await startTestServer();
    cs = testClientset(s.server);
    running = runScheduler(cs, { schedulerName: 'default-scheduler', podInitialBackoffMs: 200, podMaxBackoffMs: 1000 }, ac.signal);
  });

  after(async () => {
    ac.abort();
    await running;
    cs.close();
    await s.stop();
  });

  it('binds every pod that fits within the nodes’ allocatable and reports the others as upstream', async () => {
    for (const n of ['node-1', 'node-2', 'node-3']) await createNode(nodeObject(n));
    const names = Array.from({ length: 20 }, (_, i) => `p-${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((n) => cs.coreV1.pods.create(podObject(n))));
    await cs.coreV1.pods.create(podObject('impossible', { nodeSelector: { disktype: 'does-not-exist' } }));

    // 300m each: six pods fill 1800m of a node's 2 cpu, so 18 of the 20 fit and two do not.
    await eventually('18 pods bound', async () => (await pods()).filter((p) => p.spec?.nodeName).length === 18, 15_000);
    await eventually('the others marked unschedulable', async () => (await pods()).filter((p) => !p.spec?.nodeName && scheduledCondition(p)?.status === 'False').length === 3, 15_000);
    await new Promise((r) => setTimeout(r, 1500));

    const all = await pods();
    const bound = all.filter((p) => p.spec?.nodeName);
    assert.equal(bound.length, 18, 'no pod is bound past a node’s allocatable');
    const perNode = new Map<string, { cpu: number; memory: number; count: number }>();
    for (const p of bound) {
      const r = podRequests(p);
      const sum = perNode.get(p.spec!.nodeName!) ?? { cpu: 0, memory: 0, count: 0 };
      sum.cpu += r.get('cpu') ?? 0;
      sum.memory += r.get('memory') ?? 0;
      sum.count++;
      perNode.set(p.spec!.nodeName!, sum);
    }
    assert.deepEqual([...perNode.keys()].sort(byName), ['node-1', 'node-2', 'node-3']);
    for (const [node, sum] of perNode) {
      assert.ok(sum.cpu <= 2000, `${node} cpu ${sum.cpu}m ≤ 2000m`);
      assert.ok(sum.memory <= 4 * 2 ** 30, `${node} memory ≤ 4Gi`);
      assert.deepEqual(sum, { cpu: 1800, memory: 6 * 512 * 2 ** 20, count: 6 });
    }
    for (const p of bound) {
      assert.deepEqual(scheduledCondition(p), { status: 'True', reason: undefined, message: undefined });
      const events = await eventsFor(p.metadata!.name!);
      assert.deepEqual(events, [{ reason: 'Scheduled', type: 'Normal', message: `Successfully assigned default/${p.metadata!.name} to ${p.spec!.nodeName}`, component: 'default-scheduler' }]);
    }

    const impossible = all.find((p) => p.metadata?.name === 'impossible')!;
    const affinityMessage =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    assert.equal(impossible.spec?.nodeName, undefined);
    assert.equal(impossible.status?.phase, 'Pending');
    assert.deepEqual(scheduledCondition(impossible), { status: 'False', reason: 'Unschedulable', message: affinityMessage });
    const impossibleEvents = await eventsFor('impossible');
    assert.ok(impossibleEvents.length >= 1);
    assert.deepEqual(impossibleEvents[0], { reason: 'FailedScheduling', type: 'Warning', message: affinityMessage, component: 'default-scheduler' });

    const cpuMessage = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const leftOver = all.filter((p) => !p.spec?.nodeName && p.metadata?.name !== 'impossible');
    assert.equal(leftOver.length, 2);
    for (const p of leftOver) {
      assert.deepEqual(scheduledCondition(p), { status: 'False', reason: 'Unschedulable', message: cpuMessage });
      assert.equal((await eventsFor(p.metadata!.name!))[0]?.message, cpuMessage);
    }

    // A fourth node: the waiting pods that fit now are placed; the impossible one still is not.
    await createNode(nodeObject('node-4'));
    await eventually('the two left-over pods bound to node-4', async () => {
      const now = await pods();
      return leftOver.every((l) => now.find((p) => p.metadata?.name === l.metadata?.name)?.spec?.nodeName === 'node-4');
    }, 15_000);
    await eventually('the impossible pod re-evaluated against four nodes', async () => {
      const p = await cs.coreV1.pods.get('impossible', { namespace: 'default' });
      return scheduledCondition(p)?.message?.startsWith('0/4 nodes are available: 4 ') ?? false;
    }, 15_000);
    await cleanUp();
  });

  it('keeps pods off tainted and cordoned nodes unless they tolerate them', async () => {
    await createNode(nodeObject('t-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    await createNode(nodeObject('t-2', { taints: [{ key: 'maintenance', value: '', effect: 'NoExecute' }] }));
    await createNode(nodeObject('t-3', { unschedulable: true }));
    await cs.coreV1.pods.create(podObject('plain'));
    await cs.coreV1.pods.create(podObject('gpu', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    await cs.coreV1.pods.create(podObject('wrong-value', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'tpu', effect: 'NoSchedule' }] }));
    await cs.coreV1.pods.create(podObject('maint', { tolerations: [{ key: 'maintenance', operator: 'Exists' }] }));
    await cs.coreV1.pods.create(podObject('cordon-ok', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }));

    const nodeOf = async (name: string): Promise<string | undefined> => (await cs.coreV1.pods.get(name, { namespace: 'default' })).spec?.nodeName;
    await eventually('tolerating pods bound', async () => (await nodeOf('gpu')) === 't-1' && (await nodeOf('maint')) === 't-2' && (await nodeOf('cordon-ok')) === 't-3', 15_000);
    const message =
      '0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) had untolerated taint(s). preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    for (const name of ['plain', 'wrong-value']) {
      await eventually(`${name} unschedulable`, async () => scheduledCondition(await cs.coreV1.pods.get(name, { namespace: 'default' }))?.message === message, 15_000);
      assert.equal(await nodeOf(name), undefined);
      assert.deepEqual((await eventsFor(name))[0], { reason: 'FailedScheduling', type: 'Warning', message, component: 'default-scheduler' });
    }

    // PreferNoSchedule only lowers a node's score: a node with just that taint takes them.
    await createNode(nodeObject('t-4', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }));
    await eventually('plain pods bound to t-4', async () => (await nodeOf('plain')) === 't-4' && (await nodeOf('wrong-value')) === 't-4', 15_000);
    await cleanUp();
  });

  it('honours required node affinity operators and matchFields', async () => {
    await createNode(nodeObject('a-1', { labels: { zone: 'z1', gen: '3' } }));
    await createNode(nodeObject('a-2', { labels: { zone: 'z2', gen: '5', gpu: 'yes' } }));
    await createNode(nodeObject('a-3', { labels: { zone: 'z3', gen: '7' } }));
    const required = (matchExpressions: object[], matchFields: object[] = []): Partial<PodSpec> =>
      ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions, matchFields }] } } } }) as Partial<PodSpec>;
    const cases: [string, Partial<PodSpec>, string][] = [
      ['in', required([{ key: 'zone', operator: 'In', values: ['z3'] }]), 'a-3'],
      ['notin', required([{ key: 'zone', operator: 'NotIn', values: ['z1', 'z3'] }]), 'a-2'],
      ['exists', required([{ key: 'gpu', operator: 'Exists', values: [] }]), 'a-2'],
      ['doesnotexist-gt', required([{ key: 'gpu', operator: 'DoesNotExist', values: [] }, { key: 'gen', operator: 'Gt', values: ['4'] }]), 'a-3'],
      ['lt', required([{ key: 'gen', operator: 'Lt', values: ['4'] }]), 'a-1'],
      ['fields', required([], [{ key: 'metadata.name', operator: 'In', values: ['a-2'] }]), 'a-2'],
      ['selector', { nodeSelector: { zone: 'z1' } }, 'a-1'],
    ];
    for (const [name, spec] of cases) await cs.coreV1.pods.create(podObject(name, spec));
    await cs.coreV1.pods.create(podObject('nowhere', required([{ key: 'gen', operator: 'Gt', values: ['7'] }])));
    for (const [name, , node] of cases) {
      await eventually(`${name} bound`, async () => (await cs.coreV1.pods.get(name, { namespace: 'default' })).spec?.nodeName !== undefined, 15_000);
      assert.equal((await cs.coreV1.pods.get(name, { namespace: 'default' })).spec?.nodeName, node, name);
    }
    await eventually('nowhere unschedulable', async () => scheduledCondition(await cs.coreV1.pods.get('nowhere', { namespace: 'default' }))?.reason === 'Unschedulable', 15_000);
    assert.equal(
      scheduledCondition(await cs.coreV1.pods.get('nowhere', { namespace: 'default' }))?.message,
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    await cleanUp();
  });

  it('spreads pods with required anti-affinity by hostname, one per node, and retries when one goes', async () => {
    for (const n of ['h-1', 'h-2', 'h-3']) await createNode(nodeObject(n));
    const anti: Partial<PodSpec> = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [] }, topologyKey: 'kubernetes.io/hostname', namespaces: [], matchLabelKeys: [], mismatchLabelKeys: [] }],
          preferredDuringSchedulingIgnoredDuringExecution: [],
        },
      },
    };
    for (const n of ['web-1', 'web-2', 'web-3']) await cs.coreV1.pods.create(podObject(n, anti, { app: 'web' }));
    await eventually('three web pods bound', async () => (await pods()).filter((p) => p.spec?.nodeName).length === 3, 15_000);
    await cs.coreV1.pods.create(podObject('web-4', anti, { app: 'web' }));
    // A pod without anti-affinity terms of its own still may not join a node whose pod repels it.
    await cs.coreV1.pods.create(podObject('intruder', {}, { app: 'web' }));
    const placed = (await pods()).filter((p) => p.spec?.nodeName).map((p) => p.spec!.nodeName!).sort(byName);
    assert.deepEqual(placed, ['h-1', 'h-2', 'h-3']);

    const get = (name: string): Promise<Pod> => cs.coreV1.pods.get(name, { namespace: 'default' });
    await eventually('web-4 unschedulable', async () => scheduledCondition(await get('web-4'))?.reason === 'Unschedulable', 15_000);
    assert.equal(
      scheduledCondition(await get('web-4'))?.message,
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    await eventually('intruder unschedulable', async () => scheduledCondition(await get('intruder'))?.reason === 'Unschedulable', 15_000);
    assert.equal(
      scheduledCondition(await get('intruder'))?.message,
      "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );

    const freed = (await get('web-2')).spec!.nodeName!;
    await cs.coreV1.pods.delete('web-2', { namespace: 'default', gracePeriodSeconds: 0 });
    await eventually('web-4 or the intruder takes the freed node', async () => {
      const now = await pods();
      return now.filter((p) => p.spec?.nodeName === freed).length === 1;
    }, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await pods()).filter((p) => p.spec?.nodeName === freed).length, 1, 'only one of them');
    await cleanUp();
  });

  it('reports when there are no nodes at all', async () => {
    await cs.coreV1.pods.create(podObject('alone'));
    await eventually('alone unschedulable', async () => scheduledCondition(await cs.coreV1.pods.get('alone', { namespace: 'default' }))?.reason === 'Unschedulable', 15_000);
    assert.equal(scheduledCondition(await cs.coreV1.pods.get('alone', { namespace: 'default' }))?.message, 'no nodes available to schedule pods');
    await cleanUp();
  });

  it('leaves pods of other schedulers alone', async () => {
    await createNode(nodeObject('o-1'));
    await cs.coreV1.pods.create(podObject('other', { schedulerName: 'my-scheduler' }));
    await cs.coreV1.pods.create(podObject('mine'));
    await eventually('mine bound', async () => (await cs.coreV1.pods.get('mine', { namespace: 'default' })).spec?.nodeName === 'o-1', 15_000);
    const other = await cs.coreV1.pods.get('other', { namespace: 'default' });
    assert.equal(other.spec?.nodeName, undefined);
    assert.equal(scheduledCondition(other), undefined);
    assert.deepEqual(await eventsFor('other'), []);
    await cleanUp();
  });
});

describe('scheduler parts', () => {
  it('counts init containers by upstream’s max rule, sidecars, and overhead', () => {
    const pod = Pod.fromPartial({
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: { string: '200m' }, memory: { string: '100Mi' } } } },
          { name: 'b', resources: { requests: { cpu: { string: '300m' } } } },
        ],
        initContainers: [
          { name: 'init-big', resources: { requests: { cpu: { string: '1' }, memory: { string: '50Mi' } } } },
          { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: { string: '100m' }, memory: { string: '10Mi' } } } },
          { name: 'init-after', resources: { requests: { cpu: { string: '550m' }, memory: { string: '300Mi' } } } },
        ],
        overhead: { cpu: { string: '10m' }, memory: { string: '1Mi' } },
      },
    });
    // containers 500m/100Mi + sidecar 100m/10Mi = 600m/110Mi; init phases: 1000m/50Mi, then 650m/310Mi.
    const r = podRequests(pod);
    assert.equal(r.get('cpu'), 1010);
    assert.equal(r.get('memory'), 311 * 2 ** 20);
    const nonZero = podRequests(Pod.fromPartial({ spec: { containers: [{ name: 'a' }] } }), true);
    assert.deepEqual([...nonZero], [['cpu', 100], ['memory', 200 * 2 ** 20]]);
  });

  it('matches node selector requirements as upstream', () => {
    assert.equal(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, undefined), true);
    assert.equal(matchesRequirement({ key: 'k', operator: 'In', values: ['a'] }, undefined), false);
    assert.equal(matchesRequirement({ key: 'k', operator: 'Gt', values: ['4'] }, '10'), true);
    assert.equal(matchesRequirement({ key: 'k', operator: 'Gt', values: ['4'] }, 'x'), false);
    assert.equal(matchesRequirement({ key: 'k', operator: 'Lt', values: ['4'] }, '-1'), true);
    assert.equal(matchesRequirement({ key: 'k', operator: 'Lt', values: ['4', '5'] }, '1'), false);
  });

  it('sorts the reasons histogram as strings', () => {
    assert.equal(reasonsHistogram([['Insufficient cpu', 'Insufficient memory'], ['Too many pods'], ['Insufficient cpu']]), '1 Insufficient memory, 1 Too many pods, 2 Insufficient cpu');
  });
});

describe('scheduling queue', () => {
  it('orders by priority, parks unschedulable pods until a cluster event, and backs off retries', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 100, maxBackoffMs: 400 });
    // The queue's timers do not hold the process open; this does while the test waits on them.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      q.add('ns/low', 0);
      q.add('ns/high', 10);
      q.add('ns/low2', 0);
      const order = [(await q.pop())!.key, (await q.pop())!.key, (await q.pop())!.key];
      assert.deepEqual(order, ['ns/high', 'ns/low', 'ns/low2']);

      // Failed with no cluster event during its cycle: parked as unschedulable.
      q.add('ns/p', 0);
      const p = (await q.pop())!;
      q.requeueFailed(p);
      assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1 });
      // A status-only update does not move it; a node event does, through its backoff.
      q.add('ns/p', 0);
      assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 1 });
      q.moveAllToActiveOrBackoff();
      assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
      const started = Date.now();
      const again = (await q.pop())!;
      assert.equal(again.key, 'ns/p');
      assert.ok(Date.now() - started >= 50, 'waited out its backoff');

      // A cluster event while it was being scheduled: straight to backoff, not parked.
      q.moveAllToActiveOrBackoff();
      q.requeueFailed(again);
      assert.deepEqual(q.sizes(), { active: 0, backoff: 1, unschedulable: 0 });
      q.delete('ns/p');
      assert.deepEqual(q.sizes(), { active: 0, backoff: 0, unschedulable: 0 });
    } finally {
      q.close();
      clearInterval(keepAlive);
    }
    assert.equal(await q.pop(), undefined);
  });
});
