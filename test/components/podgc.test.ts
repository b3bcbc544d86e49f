/**
 * The pod garbage collector against a real server (short period and quarantine, threshold 2):
 * the oldest terminated pods beyond the threshold go; a pod bound to a node that does not
 * exist is marked Failed with DisruptionTarget (DeletionByPodGC) and deleted after the
 * quarantine; terminating pods never scheduled, or on a not-ready out-of-service node, are
 * marked Failed and deleted with grace period 0.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { Informer, isNotFound, type Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NS = 'default';
const FINALIZER = 'example.com/hold';

describe('podgc controller', () => {
  let server: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  /** The last state of every pod the informer saw deleted. */
  const lastSeen = new Map<string, Pod>();

  before(async () => {
    server = await startTestServer();
    cs = testClientset(server.server);
    const pods = new Informer<Pod>(cs.coreV1.pods);
    pods.addEventHandler({ onDelete: (p) => lastSeen.set(p.metadata?.name ?? '', p) });
    pods.start(ac.signal);
    await pods.waitForSync(ac.signal);
  });

  after(async () => {
    ac.abort();
    cs?.close();
    await server?.stop();
  });

  const exists = async (name: string): Promise<boolean> => {
    try {
      await cs.coreV1.pods.get(name, { namespace: NS });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };

  async function createPod(name: string, extra: { nodeName?: string; finalizers?: string[] } = {}): Promise<Pod> {
    return cs.coreV1.pods.create({
      metadata: { name, namespace: NS, finalizers: extra.finalizers ?? [] },
      spec: { containers: [{ name: 'app', image: 'busybox' }], nodeName: extra.nodeName, restartPolicy: 'Never' },
    });
  }

  it('deletes the oldest terminated pods beyond the threshold', async () => {
    for (const name of ['done-a', 'done-b', 'done-c', 'done-d']) {
      const p = await createPod(name);
      await cs.coreV1.pods.updateStatus({ ...p, status: { ...p.status, phase: 'Succeeded' } });
    }
    // Started once the four have terminated, so it never sees three or fewer.
    await runControllerManager(cs, { controllers: ['podgc'], terminatedPodGcThreshold: 2, podGcPeriodMs: 100, podGcQuarantineMs: 1000 }, ac.signal);
    await eventually('two terminated pods collected', async () => !(await exists('done-a')) && !(await exists('done-b')));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await exists('done-c'), true);
    assert.equal(await exists('done-d'), true);
    assert.equal(lastSeen.get('done-a')?.status?.phase, 'Succeeded');
  });

  it('marks terminating unscheduled pods Failed and deletes them with grace period 0', async () => {
    await createPod('limbo', { finalizers: [FINALIZER] });
    await cs.coreV1.pods.delete('limbo', { namespace: NS });
    let pod: Pod | undefined;
    await eventually('limbo marked Failed', async () => (pod = await cs.coreV1.pods.get('limbo', { namespace: NS })).status?.phase === 'Failed');
    assert.ok(pod?.metadata?.deletionTimestamp);
    assert.equal(pod?.metadata?.deletionGracePeriodSeconds, 0);
    await cs.coreV1.pods.patch('limbo', 'merge', { metadata: { finalizers: null } }, { namespace: NS });
    await eventually('limbo gone', async () => !(await exists('limbo')));
  });

  it('deletes terminating pods on a not-ready node tainted out-of-service', async () => {
    await cs.coreV1.nodes.create({
      metadata: { name: 'broken' },
      spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] },
    });
    await createPod('stranded', { nodeName: 'broken' });
    const p = await cs.coreV1.pods.get('stranded', { namespace: NS });
    await cs.coreV1.pods.updateStatus({ ...p, status: { ...p.status, phase: 'Running' } });
    await cs.coreV1.pods.delete('stranded', { namespace: NS, gracePeriodSeconds: 300 });
    await eventually('stranded gone', async () => !(await exists('stranded')));
    assert.equal(lastSeen.get('stranded')?.status?.phase, 'Failed');
  });

  it('deletes pods bound to a node that no longer exists, after the quarantine, with DisruptionTarget', async () => {
    await cs.coreV1.nodes.create({ metadata: { name: 'real' } });
    const started = Date.now();
    await cs.coreV1.pods.create({ metadata: { name: 'orphan', namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'ghost' } });
    await cs.coreV1.pods.create({ metadata: { name: 'housed', namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'real' } });
    await eventually('orphan deleted', async () => lastSeen.has('orphan'), 10_000);
    assert.ok(Date.now() - started >= 1000, 'not before the quarantine');
    const last = lastSeen.get('orphan');
    assert.equal(last?.status?.phase, 'Failed');
    const dt = last?.status?.conditions.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([dt?.status, dt?.reason, dt?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    assert.ok(await cs.coreV1.pods.get('housed', { namespace: NS }));
  });
});
