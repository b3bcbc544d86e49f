/**
 * Simulated nodes against a real server over gRPC: three nodes register with capacity,
 * conditions and Leases that heartbeat; a pod bound through pods/binding becomes Running and
 * Ready with the kubelet's conditions, container statuses and IPs; a Job-style pod succeeds
 * (and one annotated to fail fails); deleting a running pod finishes; containers' log lines
 * are recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { isNotFound, timeOf, type Clientset } from '../../src/client/index.js';
import { EXIT_CODE_ANNOTATION, runSimulatedNodes, SIMULATED_NODE_LABEL, type SimulatedNodes } from '../../src/components/simulated-nodes/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const NS = 'default';

describe('simulated nodes', () => {
  let server: TestServer;
  let cs: Clientset;
  let nodes: SimulatedNodes;
  const ac = new AbortController();

  before(async () => {
    server = await startTestServer();
    cs = testClientset(server.server);
    nodes = await runSimulatedNodes(cs, { count: 3, heartbeatMs: 300, jobPodDurationMs: 500, events: false }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs?.close();
    await server?.stop();
  });

  async function bind(name: string, node: string, spec: Partial<NonNullable<Pod['spec']>> = {}, annotations: Record<string, string> = {}): Promise<Pod> {
    const pod = await cs.coreV1.pods.create({
      metadata: { name, namespace: NS, annotations },
      spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    });
    await cs.coreV1.pods.createBinding(name, { metadata: { name, namespace: NS }, target: { kind: 'Node', name: node } }, { namespace: NS });
    return pod;
  }

  async function podWhen(name: string, what: string, test: (p: Pod) => boolean, ms = 10_000): Promise<Pod> {
    let last: Pod | undefined;
    await eventually(`${name} ${what}`, async () => {
      last = await cs.coreV1.pods.get(name, { namespace: NS });
      return test(last);
    }, ms);
    return last as Pod;
  }

  it('registers three Ready nodes with capacity, addresses and nodeInfo', async () => {
    assert.deepEqual(nodes.names, ['node-1', 'node-2', 'node-3']);
    const list = await cs.coreV1.nodes.list();
    assert.deepEqual(list.items.map((n) => n.metadata?.name).sort(), ['node-1', 'node-2', 'node-3']);
    const n1 = await cs.coreV1.nodes.get('node-1');
    assert.equal(n1.metadata?.labels?.['kubernetes.io/hostname'], 'node-1');
    assert.equal(n1.metadata?.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(n1.metadata?.labels?.['kubernetes.io/arch'], 'amd64');
    assert.equal(n1.metadata?.labels?.[SIMULATED_NODE_LABEL], 'true');
    for (const field of ['capacity', 'allocatable'] as const) {
      const r = n1.status?.[field] ?? {};
      assert.deepEqual([r.cpu?.string, r.memory?.string, r.pods?.string], ['4', '16Gi', '110'], field);
    }
    const conditions = (n1.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason]);
    assert.deepEqual(conditions, [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    assert.deepEqual(n1.status?.addresses.map((a) => [a.type, a.address]), [['InternalIP', '172.18.0.1'], ['Hostname', 'node-1']]);
    assert.equal(n1.status?.nodeInfo?.kubeletVersion, 'v1.33.0');
    assert.equal(n1.spec?.podCIDR, '10.128.1.0/24');
    const n3 = await cs.coreV1.nodes.get('node-3');
    assert.equal(n3.status?.addresses.find((a) => a.type === 'InternalIP')?.address, '172.18.0.3');
  });

  it('heartbeats a Lease per node in kube-node-lease', async () => {
    const first = await cs.coordinationV1.leases.get('node-2', { namespace: 'kube-node-lease' });
    assert.equal(first.spec?.holderIdentity, 'node-2');
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    const owner = first.metadata?.ownerReferences?.[0];
    assert.deepEqual([owner?.kind, owner?.name], ['Node', 'node-2']);
    const renewed = timeOf(first.spec?.renewTime)?.getTime() ?? 0;
    assert.ok(renewed > 0);
    for (const name of nodes.names) {
      await eventually(`${name}'s lease renewed`, async () => {
        const l = await cs.coordinationV1.leases.get(name, { namespace: 'kube-node-lease' });
        return (timeOf(l.spec?.renewTime)?.getTime() ?? 0) > renewed;
      });
    }
  });

  it('runs a pod bound to node-1: Running and Ready with the kubelet conditions', async () => {
    await bind('web', 'node-1');
    const pod = await podWhen('web', 'Running', (p) => p.status?.phase === 'Running');
    const st = pod.status;
    assert.ok(st);
    assert.deepEqual(
      st.conditions.map((c) => [c.type, c.status, c.reason ?? '']),
      [
        ['PodReadyToStartContainers', 'True', ''],
        ['Initialized', 'True', ''],
        ['Ready', 'True', ''],
        ['ContainersReady', 'True', ''],
        ['PodScheduled', 'True', ''],
      ],
    );
    assert.equal(st.hostIP, '172.18.0.1');
    assert.deepEqual(st.hostIPs.map((h) => h.ip), ['172.18.0.1']);
    assert.equal(st.podIP, '10.128.1.2');
    assert.deepEqual(st.podIPs.map((p) => p.ip), ['10.128.1.2']);
    assert.ok(st.startTime?.seconds);
    assert.equal(st.containerStatuses.length, 1);
    const c = st.containerStatuses[0];
    assert.equal(c?.name, 'app');
    assert.equal(c?.ready, true);
    assert.equal(c?.started, true);
    assert.equal(c?.restartCount, 0);
    assert.equal(c?.image, 'docker.io/library/nginx:latest');
    assert.match(c?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(c?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(c?.state?.running?.startedAt?.seconds);
    assert.equal(nodes.logs.read(NS, 'web', 'app'), 'started container app (image docker.io/library/nginx:latest)\n');
  });

  it('gives each pod of a node its own IP, and readiness gates hold Ready back', async () => {
    await bind('gated', 'node-1', { readinessGates: [{ conditionType: 'example.com/ready' }] });
    const pod = await podWhen('gated', 'Running', (p) => p.status?.phase === 'Running');
    assert.equal(pod.status?.podIP, '10.128.1.3');
    const ready = pod.status?.conditions.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/ready" does not exist.']);
    assert.equal(pod.status?.conditions.find((c) => c.type === 'ContainersReady')?.status, 'True');
    await cs.coreV1.pods.updateStatus({ ...pod, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? []), { type: 'example.com/ready', status: 'True' }] } });
    await podWhen('gated', 'Ready', (p) => p.status?.conditions.find((c) => c.type === 'Ready')?.status === 'True');
  });

  it('runs a Job-style pod to Succeeded with exit code 0, reason Completed', async () => {
    await bind('job-ok', 'node-2', { restartPolicy: 'Never' });
    await podWhen('job-ok', 'Running', (p) => p.status?.phase === 'Running' || p.status?.phase === 'Succeeded');
    const pod = await podWhen('job-ok', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    const t = pod.status?.containerStatuses[0]?.state?.terminated;
    assert.deepEqual([t?.exitCode, t?.reason], [0, 'Completed']);
    assert.equal(pod.status?.containerStatuses[0]?.ready, false);
    assert.deepEqual(
      pod.status?.conditions.map((c) => [c.type, c.status, c.reason ?? '']),
      [
        ['PodReadyToStartContainers', 'False', ''],
        ['Initialized', 'True', ''],
        ['Ready', 'False', 'PodCompleted'],
        ['ContainersReady', 'False', 'PodCompleted'],
        ['PodScheduled', 'True', ''],
      ],
    );
    assert.equal(nodes.logs.read(NS, 'job-ok', 'app'), 'started container app (image docker.io/library/nginx:latest)\ncontainer app exited with code 0\n');
  });

  it(`fails a Job-style pod annotated ${EXIT_CODE_ANNOTATION}`, async () => {
    await bind('job-bad', 'node-3', { restartPolicy: 'Never' }, { [EXIT_CODE_ANNOTATION]: '3' });
    const pod = await podWhen('job-bad', 'Failed', (p) => p.status?.phase === 'Failed');
    const t = pod.status?.containerStatuses[0]?.state?.terminated;
    assert.deepEqual([t?.exitCode, t?.reason], [3, 'Error']);
    assert.equal(pod.status?.conditions.find((c) => c.type === 'Ready')?.reason, 'PodFailed');
  });

  it('restarts a failing OnFailure pod, counting restarts', async () => {
    await bind('job-retry', 'node-3', { restartPolicy: 'OnFailure' }, { [EXIT_CODE_ANNOTATION]: '1' });
    const pod = await podWhen('job-retry', 'restarted twice', (p) => (p.status?.containerStatuses[0]?.restartCount ?? 0) >= 2);
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.containerStatuses[0]?.lastState?.terminated?.exitCode, 1);
    assert.equal(nodes.logs.read(NS, 'job-retry', 'app', { previous: true })?.endsWith('container app exited with code 1\n'), true);
    await cs.coreV1.pods.delete('job-retry', { namespace: NS, gracePeriodSeconds: 0 });
  });

  it('finishes the graceful deletion of a running pod', async () => {
    await bind('doomed', 'node-2', { terminationGracePeriodSeconds: 30 });
    await podWhen('doomed', 'Running', (p) => p.status?.phase === 'Running');
    const deleted = await cs.coreV1.pods.delete('doomed', { namespace: NS });
    assert.ok(deleted);
    // The server keeps it (grace period 30 s) until the node has stopped its containers.
    await eventually('doomed gone', async () => {
      try {
        await cs.coreV1.pods.get('doomed', { namespace: NS });
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    }, 10_000);
  });

  it('gives a deleted pod its IP back', async () => {
    const worker = nodes.node('node-2')?.pods;
    assert.ok(worker);
    await eventually('node-2 has no pod IP in use', async () => worker.podIPsInUse === 0);
  });
});
