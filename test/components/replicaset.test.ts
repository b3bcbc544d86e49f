/**
 * The replicaset and replicationcontroller controllers over the SDK: pods created from the
 * template and replaced when deleted, surplus pods deleted not-Ready first, orphans adopted
 * and non-matching pods released, status counts, events; an RC scaled with `kubectl scale rc`.
 * A stand-in kubelet marks pods Running and Ready (except those labelled to be held back).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplicaSet } from '../../gen/k8s/io/api/apps/v1/generated.js';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import type { Clientset } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HOLD_LABEL, runReadyPods } from './ready-pods.js';

const MINOR = 33;
const NS = 'default';

function replicaSet(name: string, replicas: number, labels: Record<string, string> = {}): ReplicaSet {
  return {
    metadata: { name, namespace: NS } as ReplicaSet['metadata'],
    spec: {
      replicas,
      selector: { matchLabels: { app: name }, matchExpressions: [] },
      template: { metadata: { labels: { app: name, ...labels } } as never, spec: { containers: [{ name: 'c', image: 'nginx' }] } as never },
    },
  };
}

describe('replicaset and replicationcontroller controllers', () => {
  let ts: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  const k = (args: string[], stdin?: string) => runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);

  before(async () => {
    ts = await startTestServer();
    cs = testClientset(ts.server);
    runReadyPods(cs, ac.signal);
    await runControllerManager(cs, { controllers: ['replicaset', 'replicationcontroller'] }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs.close();
    await ts.stop();
  });

  const podsOf = async (app: string): Promise<Pod[]> => (await cs.coreV1.pods.list({ namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp?.seconds);
  const rsStatus = async (name: string) => {
    const rs = await cs.appsV1.replicaSets.get(name, { namespace: NS });
    const s = rs.status;
    return { replicas: s?.replicas ?? 0, fullyLabeled: s?.fullyLabeledReplicas ?? 0, ready: s?.readyReplicas ?? 0, available: s?.availableReplicas ?? 0, observed: s?.observedGeneration ?? 0, generation: rs.metadata?.generation ?? 0 };
  };
  const eventsFor = async (name: string): Promise<string[]> =>
    (await cs.coreV1.events.list({ namespace: NS })).items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.type} ${e.reason} ${e.message}`);

  it('creates the pods from the template and replaces a deleted pod', async () => {
    const rs = await cs.appsV1.replicaSets.create(replicaSet('front', 3), { namespace: NS });
    await eventually('3 ready', async () => (await rsStatus('front')).ready === 3, 20_000);
    assert.deepEqual(await rsStatus('front'), { replicas: 3, fullyLabeled: 3, ready: 3, available: 3, observed: 1, generation: 1 });
    const pods = await podsOf('front');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata?.name ?? '', /^front-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(p.metadata?.ownerReferences.map((r) => [r.kind, r.name, r.uid, r.controller, r.blockOwnerDeletion]), [['ReplicaSet', 'front', rs.metadata?.uid, true, true]]);
    }
    const victim = pods[0]!.metadata!.name!;
    await cs.coreV1.pods.delete(victim, { namespace: NS });
    await eventually('a replacement pod', async () => {
      const now = await podsOf('front');
      return now.length === 3 && !now.some((p) => p.metadata?.name === victim) && (await rsStatus('front')).ready === 3;
    }, 20_000);
    await eventually('4 SuccessfulCreate events', async () => (await eventsFor('front')).filter((e) => /^Normal SuccessfulCreate Created pod: front-\w{5}$/.test(e)).length === 4, 10_000);
  });

  it('scales down deleting not-Ready pods first, with SuccessfulDelete events', async () => {
    // One pod of the ReplicaSet is held back from Ready: scaling down by one deletes it.
    const held = await cs.coreV1.pods.create(
      { metadata: { name: 'front-held', namespace: NS, labels: { app: 'front', [HOLD_LABEL]: 'true' } } as never, spec: { containers: [{ name: 'c', image: 'nginx' }] } as never },
      { namespace: NS },
    );
    // The orphan is adopted, and the surplus pod deleted is the one not Ready.
    await eventually('the held pod adopted then deleted', async () => {
      const pods = await podsOf('front');
      return pods.length === 3 && !pods.some((p) => p.metadata?.name === 'front-held');
    }, 20_000);
    await eventually('the SuccessfulDelete event', async () => (await eventsFor('front')).includes('Normal SuccessfulDelete Deleted pod: front-held'), 10_000);
    assert.ok(held.metadata?.uid);
    const scaled = await k(['scale', 'rs/front', '--replicas=1']);
    assert.equal(scaled.code, 0, scaled.stderr);
    await eventually('1 replica', async () => (await podsOf('front')).length === 1 && (await rsStatus('front')).replicas === 1, 20_000);
    assert.deepEqual(await rsStatus('front'), { replicas: 1, fullyLabeled: 1, ready: 1, available: 1, observed: 2, generation: 2 });
  });

  it('releases a pod whose labels stop matching and replaces it', async () => {
    const [pod] = await podsOf('front');
    const name = pod!.metadata!.name!;
    await cs.coreV1.pods.patch(name, 'merge', { metadata: { labels: { app: 'elsewhere' } } }, { namespace: NS });
    await eventually('the pod released', async () => (await cs.coreV1.pods.get(name, { namespace: NS })).metadata?.ownerReferences.length === 0, 20_000);
    await eventually('a replacement', async () => (await podsOf('front')).length === 1 && (await podsOf('front'))[0]!.metadata?.name !== name, 20_000);
  });

  it('kubectl scale rc scales a ReplicationController', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const created = await k(['create', '-f', '-'], manifest);
    assert.equal(created.code, 0, created.stderr);
    const rcStatus = async () => (await cs.coreV1.replicationControllers.get('legacy', { namespace: NS })).status;
    await eventually('2 ready', async () => (await rcStatus())?.readyReplicas === 2, 20_000);
    const up = await k(['scale', 'rc', 'legacy', '--replicas=4']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, 'replicationcontroller/legacy scaled\n');
    await eventually('4 available', async () => (await rcStatus())?.availableReplicas === 4 && (await podsOf('legacy')).length === 4, 20_000);
    const s = await rcStatus();
    assert.deepEqual([s?.replicas, s?.fullyLabeledReplicas, s?.readyReplicas, s?.availableReplicas, s?.observedGeneration], [4, 4, 4, 4, 2]);
    const pods = await podsOf('legacy');
    assert.ok(pods.every((p) => p.metadata?.ownerReferences[0]?.kind === 'ReplicationController' && p.metadata.generateName === 'legacy-'));
    const down = await k(['scale', 'rc', 'legacy', '--replicas=1']);
    assert.equal(down.code, 0, down.stderr);
    await eventually('1 replica', async () => (await podsOf('legacy')).length === 1 && (await rcStatus())?.replicas === 1, 20_000);
    const get = await k(['get', 'rc', 'legacy', '--no-headers']);
    assert.match(get.stdout, /^legacy\s+1\s+1\s+1\s+/);
  });
});
