/**
 * The DaemonSet controller over the SDK against a real server, with an in-test kubelet that binds
 * each pod to the node its affinity names (no scheduler runs here) and marks it Running and Ready:
 * one pod per eligible Node, none on a node whose taint is not tolerated, one more for a new Node,
 * upstream's pod shape (node affinity, tolerations, labels), status, ControllerRevisions and
 * `kubectl rollout status/history/undo`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DaemonSet } from '../../gen/k8s/io/api/apps/v1/generated.js';
import { Node } from '../../gen/k8s/io/api/core/v1/node.js';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import type { Clientset, WatchEvent } from '../../src/client/index.js';
import { nodeShouldRunDaemonPod } from '../../src/components/controller-manager/daemonset/placement.js';
import { fnv1, fnv1a, safeEncode } from '../../src/components/controller-manager/history/hash.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFakeKubelet } from './fake-kubelet.js';

const NS = 'default';

describe('daemonset controller', () => {
  let ts: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  const k = (args: string[]) => runKubectl(33, ts.server.kubeconfigPath, args);

  before(async () => {
    ts = await startTestServer();
    cs = testClientset(ts.server);
    for (const name of ['n1', 'n2', 'n3']) await cs.coreV1.nodes.create({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
    await cs.coreV1.nodes.create({
      metadata: { name: 'tainted', labels: { 'kubernetes.io/hostname': 'tainted' } },
      spec: { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] },
    });
    startFakeKubelet(cs, ac.signal, { bind: true });
    await runControllerManager(cs, { controllers: ['daemonset'] }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs.close();
    await ts.stop();
  });

  const agentPods = async () => (await cs.coreV1.pods.list({ namespace: NS, labelSelector: 'app=agent' })).items;
  const live = (pods: Pod[]) => pods.filter((p) => p.metadata?.deletionTimestamp === undefined);
  const ready = (p: Pod) => p.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const nodesOf = (pods: Pod[]) => pods.map((p) => p.spec?.nodeName ?? '').sort();

  it('runs one pod per untainted Node, none on the tainted one', async () => {
    await cs.appsV1.daemonSets.create({
      metadata: { name: 'agent', namespace: NS },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } },
      },
    });
    await eventually('3 ready pods', async () => {
      const pods = live(await agentPods());
      return pods.length === 3 && pods.every(ready);
    }, 15_000);
    const pods = live(await agentPods());
    assert.deepEqual(nodesOf(pods), ['n1', 'n2', 'n3']);
    for (const pod of pods) {
      assert.match(pod.metadata?.name ?? '', /^agent-[a-z0-9]{5}$/);
      const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      assert.deepEqual(
        terms?.map((t) => t.matchFields.map((f) => ({ key: f.key, operator: f.operator, values: f.values }))),
        [[{ key: 'metadata.name', operator: 'In', values: [pod.spec?.nodeName] }]],
      );
      const tolerations = pod.spec?.tolerations.map((t) => `${t.key ?? ''}:${t.operator ?? ''}:${t.effect ?? ''}`).sort();
      assert.deepEqual(tolerations, [
        'node.kubernetes.io/disk-pressure:Exists:NoSchedule',
        'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
        'node.kubernetes.io/not-ready:Exists:NoExecute',
        'node.kubernetes.io/pid-pressure:Exists:NoSchedule',
        'node.kubernetes.io/unreachable:Exists:NoExecute',
        'node.kubernetes.io/unschedulable:Exists:NoSchedule',
      ]);
      assert.equal(pod.metadata?.ownerReferences[0]?.kind, 'DaemonSet');
      assert.equal(pod.metadata?.ownerReferences[0]?.controller, true);
      assert.match(pod.metadata?.labels['controller-revision-hash'] ?? '', /^[bcdfghjklmnpqrstvwxz2456789]+$/);
      assert.equal(pod.metadata?.labels['pod-template-generation'], '1');
    }
    await eventually('status', async () => {
      const ds = await cs.appsV1.daemonSets.get('agent', { namespace: NS });
      return ds.status?.numberAvailable === 3;
    });
    const ds = await cs.appsV1.daemonSets.get('agent', { namespace: NS });
    const st = ds.status!;
    assert.deepEqual(
      [st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.numberAvailable, st.updatedNumberScheduled, st.numberMisscheduled ?? 0, st.observedGeneration],
      [3, 3, 3, 3, 3, 0, ds.metadata?.generation],
    );
    const events = await cs.coreV1.events.list({ namespace: NS, fieldSelector: 'involvedObject.name=agent' });
    const created = events.items.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort();
    assert.deepEqual(created, pods.map((p) => `Created pod: ${p.metadata?.name ?? ''}`).sort());

    const res = await k(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'daemon set "agent" successfully rolled out\n');
  });

  it('gives a new Node a pod', async () => {
    await cs.coreV1.nodes.create({ metadata: { name: 'n4', labels: { 'kubernetes.io/hostname': 'n4' } } });
    await eventually('pod on n4', async () => nodesOf(live(await agentPods())).join() === 'n1,n2,n3,n4', 15_000);
    await eventually('desired 4', async () => (await cs.appsV1.daemonSets.get('agent', { namespace: NS })).status?.desiredNumberScheduled === 4);
  });

  it('keeps ControllerRevisions; rolls an update out; rollout history and undo work', async () => {
    const revs1 = await cs.appsV1.controllerRevisions.list({ namespace: NS, labelSelector: 'app=agent' });
    assert.equal(revs1.items.length, 1);
    const first = revs1.items[0]!;
    const firstHash = first.metadata?.labels['controller-revision-hash'] ?? '';
    assert.equal(first.metadata?.name, `agent-${firstHash}`);
    assert.equal(first.revision, 1);

    const set = await k(['set', 'image', 'ds/agent', 'agent=agent:2']);
    assert.equal(set.code, 0, set.stderr);
    const res = await k(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /daemon set "agent" successfully rolled out\n$/);
    await eventually('4 pods on agent:2', async () => {
      const pods = live(await agentPods());
      return pods.length === 4 && pods.every((p) => p.spec?.containers[0]?.image === 'agent:2' && ready(p));
    }, 20_000);

    const history = await k(['rollout', 'history', 'ds/agent']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^daemonset\.apps\/agent\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

    const undo = await k(['rollout', 'undo', 'ds/agent']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(undo.stdout, 'daemonset.apps/agent rolled back\n');
    await eventually('4 pods back on agent:1 with the first hash', async () => {
      const pods = live(await agentPods());
      return pods.length === 4 && pods.every((p) => p.spec?.containers[0]?.image === 'agent:1' && ready(p) && p.metadata?.labels['controller-revision-hash'] === firstHash);
    }, 20_000);
    const revs = await cs.appsV1.controllerRevisions.list({ namespace: NS, labelSelector: 'app=agent' });
    const numbers = Object.fromEntries(revs.items.map((r) => [r.metadata?.name, r.revision]));
    assert.equal(revs.items.length, 2);
    assert.equal(numbers[first.metadata?.name ?? ''], 3);
    const status = await k(['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(status.code, 0, status.stderr);
  });

  it('removes the pod from a node that gains an untolerated NoExecute taint', async () => {
    await cs.coreV1.nodes.patch('n4', 'merge', { spec: { taints: [{ key: 'evict', value: 'yes', effect: 'NoExecute' }] } });
    await eventually('no pod on n4', async () => nodesOf(live(await agentPods())).join() === 'n1,n2,n3', 15_000);
    await eventually('desired 3', async () => {
      const st = (await cs.appsV1.daemonSets.get('agent', { namespace: NS })).status;
      return st?.desiredNumberScheduled === 3 && (st.numberMisscheduled ?? 0) === 0;
    });
  });

  it('with maxSurge, starts the new pod beside the old one before deleting it', async () => {
    await cs.appsV1.daemonSets.create({
      metadata: { name: 'surge', namespace: NS },
      spec: {
        selector: { matchLabels: { app: 'surge' } },
        template: { metadata: { labels: { app: 'surge' } }, spec: { containers: [{ name: 'main', image: 'surge:1' }] } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 0, intVal: 1 }, maxUnavailable: { type: 0, intVal: 0 } } },
      },
    });
    const first = await k(['rollout', 'status', 'ds/surge', '--timeout=60s']);
    assert.equal(first.code, 0, first.stderr);
    const events: WatchEvent<Pod>[] = [];
    const watchAc = new AbortController();
    const list = await cs.coreV1.pods.list({ namespace: NS, labelSelector: 'app=surge' });
    const watching = (async () => {
      const stream = cs.coreV1.pods.watch({ namespace: NS, labelSelector: 'app=surge', resourceVersion: list.metadata?.resourceVersion, signal: watchAc.signal });
      for await (const ev of stream) events.push(ev);
    })().catch(() => undefined);
    await cs.appsV1.daemonSets.patch('surge', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'surge:2' }] } } } }, { namespace: NS });
    const res = await k(['rollout', 'status', 'ds/surge', '--timeout=90s']);
    assert.equal(res.code, 0, res.stderr);
    await eventually('3 pods on surge:2', async () => {
      const pods = live((await cs.coreV1.pods.list({ namespace: NS, labelSelector: 'app=surge' })).items);
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0]?.image === 'surge:2' && ready(p));
    }, 20_000);
    watchAc.abort();
    await watching;
    // Replay the watch: the number of ready, live pods never drops below the 3 nodes (maxUnavailable 0).
    const state = new Map<string, Pod>(list.items.map((p) => [p.metadata?.name ?? '', p]));
    let minReady = Infinity;
    let maxLive = 0;
    for (const ev of events) {
      const name = ev.object?.metadata?.name ?? '';
      if (ev.type === 'DELETED') state.delete(name);
      else if (ev.object) state.set(name, ev.object);
      const alive = live([...state.values()]);
      maxLive = Math.max(maxLive, alive.length);
      minReady = Math.min(minReady, alive.filter(ready).length);
    }
    assert.equal(minReady, 3);
    assert.ok(maxLive >= 4, `surged to ${maxLive} pods`);
  });
});

describe('daemon pod placement', () => {
  const ds = (spec: Record<string, unknown> = {}): DaemonSet =>
    ({ metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c' }], tolerations: [], ...spec } } } }) as unknown as DaemonSet;
  const node = (labels: Record<string, string>, taints: { key: string; value?: string; effect: string }[] = []) =>
    Node.fromPartial({ metadata: { name: 'n1', labels }, spec: { taints } });

  it('follows nodeSelector and required node affinity', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }), ds({ nodeSelector: { disk: 'ssd' } })), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'hdd' }), ds({ nodeSelector: { disk: 'ssd' } })), { shouldRun: false, shouldContinueRunning: false });
    const affinity = (operator: string, values: string[]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator, values }], matchFields: [] }] } } },
    });
    assert.equal(nodeShouldRunDaemonPod(node({ zone: 'a' }), ds(affinity('In', ['a', 'b']))).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node({ zone: 'c' }), ds(affinity('In', ['a', 'b']))).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node({ zone: 'c' }), ds(affinity('NotIn', ['a']))).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node({}), ds(affinity('Exists', []))).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node({}), ds({ nodeName: 'other' })).shouldRun, false);
  });

  it('keeps a pod on a NoSchedule-tainted node, evicts it from a NoExecute one, and adds the daemon tolerations', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node({}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]), ds()), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node({}, [{ key: 'k', value: 'v', effect: 'NoExecute' }]), ds()), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod(node({}, [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }]), ds()), { shouldRun: true, shouldContinueRunning: true });
    const tolerating = ds({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] });
    assert.equal(nodeShouldRunDaemonPod(node({}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]), tolerating).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node({}, [{ key: 'k', value: 'w', effect: 'NoSchedule' }]), tolerating).shouldRun, false);
    // Daemon pods tolerate unschedulable, not-ready and unreachable nodes.
    assert.equal(nodeShouldRunDaemonPod(node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), ds()).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node({}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), ds()).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node({}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), ds()).shouldRun, true);
  });

  it('hashes as Go hash/fnv and encodes as rand.SafeEncodeString', () => {
    const a = new TextEncoder().encode('a');
    assert.equal(fnv1(a), 0x050c5d7e);
    assert.equal(fnv1a(a), 0xe40c292c);
    assert.equal(fnv1a(new Uint8Array()), 2166136261);
    // "2166136261" -> each digit's code point mod 27 into "bcdfghjklmnpqrstvwxz2456789".
    assert.equal(safeEncode(2166136261), '65bb57b6b5');
  });
});
