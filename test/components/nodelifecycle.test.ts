/**
 * The node lifecycle controller against a real server, with simulated nodes as kubelets:
 * a node whose kubelet stops heartbeating goes Unknown (reason NodeStatusUnknown), gets the
 * unreachable NoSchedule and NoExecute taints and its pods Ready False; heartbeats again, and
 * all of it is lifted. A node that reports Ready False gets the not-ready taints, swapped for
 * unreachable ones when it falls silent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from '../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { toMicroTime, toTime, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { runSimulatedNodes, type SimulatedNodes } from '../../src/components/simulated-nodes/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const GRACE_MS = 1500;

const taintsOf = (n: Node): string[] => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const ready = (n: Node) => (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
const podReady = (p: Pod) => (p.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status;

describe('nodelifecycle controller', () => {
  let server: TestServer;
  let cs: Clientset;
  let nodes: SimulatedNodes;
  const ac = new AbortController();

  before(async () => {
    server = await startTestServer();
    cs = testClientset(server.server);
    nodes = await runSimulatedNodes(cs, { count: 3, heartbeatMs: 200, events: false }, ac.signal);
    await runControllerManager(cs, { controllers: ['nodelifecycle'], nodeMonitorGracePeriodMs: GRACE_MS, nodeMonitorPeriodMs: 100 }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs?.close();
    await server?.stop();
  });

  async function nodeWhen(name: string, what: string, test: (n: Node) => boolean, ms = 10_000): Promise<Node> {
    let last: Node | undefined;
    await eventually(`${name} ${what}`, async () => test((last = await cs.coreV1.nodes.get(name))), ms);
    return last as Node;
  }

  it('marks a node that stops heartbeating Unknown, taints it unreachable and its pods not ready; lifts it all when it heartbeats again', async () => {
    await cs.coreV1.pods.create({ metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
    await cs.coreV1.pods.createBinding('web', { metadata: { name: 'web', namespace: 'default' }, target: { kind: 'Node', name: 'node-2' } }, { namespace: 'default' });
    await eventually('web Ready', async () => podReady(await cs.coreV1.pods.get('web', { namespace: 'default' })) === 'True');
    // Healthy nodes stay untainted through several grace periods' worth of passes.
    await new Promise((r) => setTimeout(r, GRACE_MS + 500));
    for (const name of nodes.names) assert.deepEqual(taintsOf(await cs.coreV1.nodes.get(name)), [], name);

    nodes.node('node-2')?.pause();
    const silent = await nodeWhen('node-2', 'unreachable', (n) => taintsOf(n).length === 2);
    assert.deepEqual(taintsOf(silent), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.ok((silent.spec?.taints ?? []).every((t) => (t.timeAdded?.seconds ?? 0) > 0));
    const r = ready(silent);
    assert.deepEqual([r?.status, r?.reason, r?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.deepEqual(
      (silent.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'Unknown', 'NodeStatusUnknown'],
        ['DiskPressure', 'Unknown', 'NodeStatusUnknown'],
        ['PIDPressure', 'Unknown', 'NodeStatusUnknown'],
        ['Ready', 'Unknown', 'NodeStatusUnknown'],
      ],
    );
    await eventually('web not Ready', async () => podReady(await cs.coreV1.pods.get('web', { namespace: 'default' })) === 'False');
    const events = await cs.coreV1.events.list({ namespace: 'default', fieldSelector: 'involvedObject.name=web' });
    assert.ok(events.items.some((e) => e.reason === 'NodeNotReady' && e.type === 'Warning' && e.message === 'Node is not ready'));
    for (const name of ['node-1', 'node-3']) {
      const n = await cs.coreV1.nodes.get(name);
      assert.equal(ready(n)?.status, 'True', name);
      assert.deepEqual(taintsOf(n), [], name);
    }

    nodes.node('node-2')?.resume();
    const back = await nodeWhen('node-2', 'Ready and untainted', (n) => ready(n)?.status === 'True' && taintsOf(n).length === 0);
    assert.equal(ready(back)?.reason, 'KubeletReady');
    await eventually('web Ready again', async () => podReady(await cs.coreV1.pods.get('web', { namespace: 'default' })) === 'True');
  });

  it('taints a node reporting Ready False not-ready, and swaps that for unreachable when it falls silent', async () => {
    const now = new Date();
    const created = await cs.coreV1.nodes.create({
      metadata: { name: 'sick' },
      status: {
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down', lastHeartbeatTime: toTime(now), lastTransitionTime: toTime(now) }],
      },
    });
    const lease = { metadata: { name: 'sick', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'sick', leaseDurationSeconds: 40, renewTime: toMicroTime(new Date()) } };
    let current = await cs.coordinationV1.leases.create(lease);
    let renewing = true;
    const renewer = (async () => {
      while (renewing) {
        current = await cs.coordinationV1.leases.update({ ...current, spec: { ...current.spec, renewTime: toMicroTime(new Date()) } });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      const notReady = await nodeWhen('sick', 'not-ready taints', (n) => taintsOf(n).length === 2);
      assert.deepEqual(taintsOf(notReady), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
      assert.equal(ready(notReady)?.status, 'False');
    } finally {
      renewing = false;
      await renewer;
    }
    const silent = await nodeWhen('sick', 'unreachable taints', (n) => taintsOf(n).join() === 'node.kubernetes.io/unreachable:NoExecute,node.kubernetes.io/unreachable:NoSchedule');
    assert.deepEqual([ready(silent)?.status, ready(silent)?.reason], ['Unknown', 'NodeStatusUnknown']);
    await cs.coreV1.nodes.delete(created.metadata?.name ?? '');
  });
});
