/**
 * The deployment controller with the replicaset controller over the SDK, driven by real
 * kubectl: create, rollout status, set image (surge and availability bounds sampled through
 * the rollout), rollout history, undo, pause, resume and restart. A stand-in kubelet marks
 * pods Running and Ready.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Deployment, ReplicaSet } from '../../gen/k8s/io/api/apps/v1/generated.js';
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

function deploymentOf(name: string, replicas: number, extra: { strategy?: unknown; progressDeadlineSeconds?: number; labels?: Record<string, string> } = {}): Deployment {
  return {
    metadata: { name, namespace: NS } as Deployment['metadata'],
    spec: {
      replicas,
      selector: { matchLabels: { app: name }, matchExpressions: [] },
      template: { metadata: { labels: { app: name, ...extra.labels } } as never, spec: { containers: [{ name: 'c', image: 'nginx' }] } as never },
      ...(extra.strategy ? { strategy: extra.strategy as never } : {}),
      ...(extra.progressDeadlineSeconds ? { progressDeadlineSeconds: extra.progressDeadlineSeconds } : {}),
    },
  };
}

describe('deployment controller', () => {
  let ts: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  const k = (args: string[]) => runKubectl(MINOR, ts.server.kubeconfigPath, args);

  before(async () => {
    ts = await startTestServer();
    cs = testClientset(ts.server);
    runReadyPods(cs, ac.signal, { delayMs: 150 });
    await runControllerManager(cs, { controllers: ['deployment', 'replicaset'] }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs.close();
    await ts.stop();
  });

  const deployment = (name: string): Promise<Deployment> => cs.appsV1.deployments.get(name, { namespace: NS });
  const replicaSetsOf = async (d: Deployment): Promise<ReplicaSet[]> =>
    (await cs.appsV1.replicaSets.list({ namespace: NS })).items
      .filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.uid === d.metadata?.uid && r.controller === true))
      .sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']));
  const livePods = async (app: string): Promise<Pod[]> => (await cs.coreV1.pods.list({ namespace: NS, labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp?.seconds);
  const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const rolledOut = async (name: string, image: string): Promise<boolean> => {
    const d = await deployment(name);
    const s = d.status;
    return (
      (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s?.updatedReplicas === d.spec?.replicas &&
      s?.replicas === d.spec?.replicas &&
      s?.availableReplicas === d.spec?.replicas &&
      d.spec?.template?.spec?.containers[0]?.image === image
    );
  };
  const eventsFor = async (name: string): Promise<string[]> =>
    (await cs.coreV1.events.list({ namespace: NS })).items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.type} ${e.reason} ${e.message}`);

  it('kubectl create deployment reaches 3 ready replicas and rollout status reports success', async () => {
    const created = await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    assert.equal(created.code, 0, created.stderr);
    await eventually('3 ready replicas', async () => (await deployment('web')).status?.readyReplicas === 3, 30_000);
    const status = await k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out\n$/);

    const d = await deployment('web');
    const [rs, ...more] = await replicaSetsOf(d);
    assert.equal(more.length, 0);
    const hash = rs!.metadata!.labels['pod-template-hash']!;
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs!.metadata?.name, `web-${hash}`);
    assert.equal(rs!.spec?.selector?.matchLabels['pod-template-hash'], hash);
    assert.equal(rs!.spec?.template?.metadata?.labels['pod-template-hash'], hash);
    assert.deepEqual(
      { rev: rs!.metadata?.annotations['deployment.kubernetes.io/revision'], desired: rs!.metadata?.annotations['deployment.kubernetes.io/desired-replicas'], max: rs!.metadata?.annotations['deployment.kubernetes.io/max-replicas'] },
      { rev: '1', desired: '3', max: '4' },
    );
    assert.equal(d.metadata?.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs!.metadata?.ownerReferences[0]?.kind, 'Deployment');
    assert.equal(rs!.metadata?.ownerReferences[0]?.blockOwnerDeletion, true);
    const pods = await livePods('web');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.metadata?.generateName, `web-${hash}-`);
      assert.equal(p.metadata?.ownerReferences[0]?.name, rs!.metadata?.name);
    }
    assert.deepEqual(
      { replicas: d.status?.replicas, updated: d.status?.updatedReplicas, ready: d.status?.readyReplicas, available: d.status?.availableReplicas, unavailable: d.status?.unavailableReplicas ?? 0, observed: d.status?.observedGeneration },
      { replicas: 3, updated: 3, ready: 3, available: 3, unavailable: 0, observed: d.metadata?.generation },
    );
    const cond = (type: string) => d.status?.conditions.find((c) => c.type === type);
    assert.deepEqual([cond('Available')?.status, cond('Available')?.reason, cond('Available')?.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
    assert.deepEqual([cond('Progressing')?.status, cond('Progressing')?.reason, cond('Progressing')?.message], ['True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`]);
    await eventually('the ScalingReplicaSet event', async () => (await eventsFor('web')).includes(`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`), 10_000);
    await eventually('SuccessfulCreate events on the ReplicaSet', async () => (await eventsFor(rs!.metadata!.name!)).filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length === 3, 10_000);
  });

  it('kubectl set image rolls out a second ReplicaSet within maxSurge and maxUnavailable', async () => {
    const violations: string[] = [];
    let sawBoth = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = await livePods('web');
        const available = pods.filter(isReady).length;
        if (pods.length > 4) violations.push(`${pods.length} pods`);
        if (available < 3) violations.push(`${available} available`);
        if (new Set(pods.map((p) => p.metadata?.labels['pod-template-hash'])).size > 1) sawBoth = true;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const set = await k(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    assert.equal(set.code, 0, set.stderr);
    const status = await k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    sampling = false;
    await sampler;
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /deployment "web" successfully rolled out\n$/);
    assert.deepEqual(violations, []);
    assert.equal(sawBoth, true, 'the sampler saw old and new pods side by side');

    const d = await deployment('web');
    const rss = await replicaSetsOf(d);
    assert.equal(rss.length, 2);
    assert.deepEqual(rss.map((rs) => [rs.metadata?.annotations['deployment.kubernetes.io/revision'], rs.spec?.replicas, rs.spec?.template?.spec?.containers[0]?.image]), [
      ['1', 0, 'nginx'],
      ['2', 3, 'nginx:1.27'],
    ]);
    assert.equal(d.metadata?.annotations['deployment.kubernetes.io/revision'], '2');
    const pods = await livePods('web');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec?.containers[0]?.image === 'nginx:1.27'));
    const events = await eventsFor('web');
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled up replica set ${rss[1]!.metadata?.name} from 0 to 1`), events.join('\n'));
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled down replica set ${rss[0]!.metadata?.name} from 1 to 0`), events.join('\n'));
  });

  it('kubectl rollout history lists the revisions', async () => {
    const history = await k(['rollout', 'history', 'deployment/web']);
    assert.equal(history.code, 0, history.stderr);
    assert.equal(history.stdout, 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    const rev1 = await k(['rollout', 'history', 'deployment/web', '--revision=1']);
    assert.equal(rev1.code, 0, rev1.stderr);
    assert.match(rev1.stdout, /Image:\s+nginx\n/);
  });

  it('kubectl rollout undo returns to the first template, reusing its ReplicaSet with a new revision', async () => {
    const before = await replicaSetsOf(await deployment('web'));
    const undo = await k(['rollout', 'undo', 'deployment/web']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(undo.stdout, 'deployment.apps/web rolled back\n');
    await eventually('the undo rolled out', () => rolledOut('web', 'nginx'), 30_000);
    const d = await deployment('web');
    const after = await replicaSetsOf(d);
    assert.equal(after.length, 2);
    const reused = after.find((rs) => rs.metadata?.uid === before[0]!.metadata?.uid)!;
    assert.equal(reused.metadata?.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata?.annotations['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(reused.spec?.replicas, 3);
    assert.equal(d.metadata?.annotations['deployment.kubernetes.io/revision'], '3');
    const history = await k(['rollout', 'history', 'deployment/web']);
    assert.equal(history.stdout, 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');
  });

  it('kubectl rollout pause holds changes back, resume rolls them out, restart rolls a new ReplicaSet', async () => {
    const pause = await k(['rollout', 'pause', 'deployment/web']);
    assert.equal(pause.code, 0, pause.stderr);
    assert.equal(pause.stdout, 'deployment.apps/web paused\n');
    await eventually('the paused condition', async () => {
      const c = (await deployment('web')).status?.conditions.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' && c.status === 'Unknown' && c.message === 'Deployment is paused';
    }, 10_000);
    const set = await k(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    assert.equal(set.code, 0, set.stderr);
    await eventually('the paused generation observed', async () => {
      const d = await deployment('web');
      return d.status?.observedGeneration === d.metadata?.generation;
    }, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await replicaSetsOf(await deployment('web'))).length, 2, 'no new ReplicaSet while paused');
    const undoPaused = await k(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(undoPaused.code, 0);
    assert.match(undoPaused.stderr, /you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again/);

    const resume = await k(['rollout', 'resume', 'deployment/web']);
    assert.equal(resume.code, 0, resume.stderr);
    assert.equal(resume.stdout, 'deployment.apps/web resumed\n');
    await eventually('the resumed rollout', () => rolledOut('web', 'nginx:1.28'), 30_000);
    assert.equal((await replicaSetsOf(await deployment('web'))).length, 3);

    const restart = await k(['rollout', 'restart', 'deployment/web']);
    assert.equal(restart.code, 0, restart.stderr);
    assert.equal(restart.stdout, 'deployment.apps/web restarted\n');
    const d = await deployment('web');
    assert.ok(d.spec?.template?.metadata?.annotations['kubectl.kubernetes.io/restartedAt']);
    await eventually('the restart rolled out', () => rolledOut('web', 'nginx:1.28'), 30_000);
    const rss = await replicaSetsOf(await deployment('web'));
    assert.equal(rss.length, 4);
    assert.deepEqual(rss.map((rs) => rs.spec?.replicas), [0, 0, 0, 3]);
    assert.equal(rss[3]!.metadata?.annotations['deployment.kubernetes.io/revision'], '5');
    assert.ok(rss[3]!.spec?.template?.metadata?.annotations['kubectl.kubernetes.io/restartedAt']);
  });

  it('scaling a Deployment scales its ReplicaSet and revisionHistoryLimit deletes old ReplicaSets', async () => {
    const scale = await k(['scale', 'deployment/web', '--replicas=5']);
    assert.equal(scale.code, 0, scale.stderr);
    await eventually('5 available', async () => (await deployment('web')).status?.availableReplicas === 5, 30_000);
    const rss = await replicaSetsOf(await deployment('web'));
    assert.equal(rss[rss.length - 1]!.metadata?.annotations['deployment.kubernetes.io/desired-replicas'], '5');
    const patch = await k(['patch', 'deployment/web', '-p', '{"spec":{"revisionHistoryLimit":1}}']);
    assert.equal(patch.code, 0, patch.stderr);
    await eventually('old ReplicaSets cleaned up to one', async () => (await replicaSetsOf(await deployment('web'))).length === 2, 30_000);
  });

  it('Recreate stops every old pod before the new ReplicaSet starts', async () => {
    await cs.appsV1.deployments.create(deploymentOf('batch', 2, { strategy: { type: 'Recreate' } }), { namespace: NS });
    await eventually('2 available', () => rolledOut('batch', 'nginx'), 30_000);
    const mixed: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const hashes = new Set((await livePods('batch')).map((p) => p.metadata?.labels['pod-template-hash']));
        if (hashes.size > 1) mixed.push([...hashes].join(','));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const set = await k(['set', 'image', 'deployment/batch', 'c=nginx:1.27']);
    assert.equal(set.code, 0, set.stderr);
    const status = await k(['rollout', 'status', 'deployment/batch', '--timeout=60s']);
    sampling = false;
    await sampler;
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(mixed, []);
    const rss = await replicaSetsOf(await deployment('batch'));
    assert.deepEqual(rss.map((rs) => [rs.spec?.replicas, rs.spec?.template?.spec?.containers[0]?.image]), [
      [0, 'nginx'],
      [2, 'nginx:1.27'],
    ]);
    const events = await eventsFor('batch');
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled down replica set ${rss[0]!.metadata?.name} from 2 to 0`), events.join('\n'));
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled up replica set ${rss[1]!.metadata?.name} from 0 to 2`), events.join('\n'));
  });

  it('a rollout that makes no progress reports ProgressDeadlineExceeded and rollout status fails', async () => {
    await cs.appsV1.deployments.create(deploymentOf('stuck', 2, { progressDeadlineSeconds: 2, labels: { [HOLD_LABEL]: 'true' } }), { namespace: NS });
    await eventually('the deadline exceeded', async () => (await deployment('stuck')).status?.conditions.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded', 20_000);
    const d = await deployment('stuck');
    const [rs] = await replicaSetsOf(d);
    const cond = (type: string) => d.status?.conditions.find((c) => c.type === type);
    assert.deepEqual([cond('Progressing')?.status, cond('Progressing')?.message], ['False', `ReplicaSet "${rs!.metadata?.name}" has timed out progressing.`]);
    assert.deepEqual([cond('Available')?.status, cond('Available')?.reason, cond('Available')?.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    assert.deepEqual([d.status?.replicas, d.status?.readyReplicas ?? 0, d.status?.unavailableReplicas], [2, 0, 2]);
    const status = await k(['rollout', 'status', 'deployment/stuck', '--timeout=20s']);
    assert.equal(status.code, 1);
    assert.equal(status.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
  });

  it('adopts an orphan ReplicaSet whose template matches and releases one that stops matching', async () => {
    const orphan = deploymentOf('adopt', 2);
    const rsTemplate = structuredClone(orphan.spec!.template!);
    rsTemplate.metadata!.labels = { ...rsTemplate.metadata!.labels, 'pod-template-hash': 'manual' };
    const rs = await cs.appsV1.replicaSets.create(
      { metadata: { name: 'adopt-manual', namespace: NS, labels: { app: 'adopt', 'pod-template-hash': 'manual' } } as never, spec: { replicas: 2, selector: { matchLabels: { app: 'adopt', 'pod-template-hash': 'manual' }, matchExpressions: [] }, template: rsTemplate } },
      { namespace: NS },
    );
    await cs.appsV1.deployments.create(orphan, { namespace: NS });
    await eventually('the adoption', async () => (await cs.appsV1.replicaSets.get('adopt-manual', { namespace: NS })).metadata?.ownerReferences[0]?.kind === 'Deployment', 20_000);
    await eventually('rolled out on the adopted ReplicaSet', () => rolledOut('adopt', 'nginx'), 30_000);
    const d = await deployment('adopt');
    const rss = await replicaSetsOf(d);
    assert.deepEqual(rss.map((x) => [x.metadata?.uid, x.spec?.replicas, x.metadata?.annotations['deployment.kubernetes.io/revision']]), [[rs.metadata?.uid, 2, '1']]);
    await cs.appsV1.replicaSets.patch('adopt-manual', 'merge', { metadata: { labels: { app: 'gone', 'pod-template-hash': 'manual' } } }, { namespace: NS });
    await eventually('the release', async () => (await cs.appsV1.replicaSets.get('adopt-manual', { namespace: NS })).metadata?.ownerReferences.length === 0, 20_000);
    await eventually('a new ReplicaSet', async () => (await replicaSetsOf(await deployment('adopt'))).length === 1, 20_000);
  });

  it('scaling in the middle of a rollout scales the ReplicaSets proportionally', async () => {
    await cs.appsV1.deployments.create(deploymentOf('prop', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 1, strVal: '25%' }, maxUnavailable: { type: 1, strVal: '25%' } } } }), { namespace: NS });
    await eventually('4 available', () => rolledOut('prop', 'nginx'), 30_000);
    // The new template's pods never become Ready: the rollout stops at old 3 / new 2 (4 + 1 surge, 3 available).
    const patch = JSON.stringify({ spec: { template: { metadata: { labels: { [HOLD_LABEL]: 'true' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } } });
    const patched = await k(['patch', 'deployment/prop', '-p', patch]);
    assert.equal(patched.code, 0, patched.stderr);
    const sizes = async () => (await replicaSetsOf(await deployment('prop'))).map((rs) => rs.spec?.replicas);
    await eventually('the rollout stuck at 3 + 2', async () => JSON.stringify(await sizes()) === '[3,2]', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await sizes(), [3, 2]);
    const scaled = await k(['scale', 'deployment/prop', '--replicas=8']);
    assert.equal(scaled.code, 0, scaled.stderr);
    // 8 + 2 surge = 10 pods shared in proportion to 3:2 (upstream's max-replicas annotation was 5).
    await eventually('proportional sizes 6 + 4', async () => JSON.stringify(await sizes()) === '[6,4]', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await sizes(), [6, 4]);
    const rss = await replicaSetsOf(await deployment('prop'));
    assert.ok(rss.every((rs) => rs.metadata?.annotations['deployment.kubernetes.io/desired-replicas'] === '8' && rs.metadata.annotations['deployment.kubernetes.io/max-replicas'] === '10'));
    const events = await eventsFor('prop');
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled up replica set ${rss[0]!.metadata?.name} from 3 to 6`), events.join('\n'));
    assert.ok(events.includes(`Normal ScalingReplicaSet Scaled up replica set ${rss[1]!.metadata?.name} from 2 to 4`), events.join('\n'));
  });
});
