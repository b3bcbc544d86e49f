/**
 * The StatefulSet controller over the SDK against a real server, with an in-test kubelet that marks
 * pods Running and Ready: ordered creation with stable identities and claims, upstream's Events,
 * ControllerRevisions, rolling updates highest ordinal first, `kubectl rollout status/history/undo`,
 * and scale-down highest ordinal first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../gen/k8s/io/api/core/v1/pod.js';
import { isNotFound, quantity, timeOf, type Clientset, type WatchEvent } from '../../src/client/index.js';
import { runControllerManager } from '../../src/components/controller-manager/index.js';
import { testClientset } from '../helpers/clientset.js';
import { eventually } from '../helpers/eventually.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFakeKubelet, type FakeKubelet } from './fake-kubelet.js';

const NS = 'default';

describe('statefulset controller', () => {
  let ts: TestServer;
  let cs: Clientset;
  const ac = new AbortController();
  let kubelet: FakeKubelet;
  /** Pods the kubelet may start; the ordering test opens the gate itself. */
  let gateOpen = false;
  /** Pods the kubelet holds back even with the gate open. */
  const held = new Set<string>();
  const podEvents: WatchEvent<Pod>[] = [];
  const k = (args: string[]) => runKubectl(33, ts.server.kubeconfigPath, args);

  before(async () => {
    ts = await startTestServer();
    cs = testClientset(ts.server);
    kubelet = startFakeKubelet(cs, ac.signal, { bind: false, admit: (p) => gateOpen && !held.has(p.metadata?.name ?? '') });
    void (async () => {
      const stream = cs.coreV1.pods.watch({ labelSelector: 'app=web', signal: ac.signal });
      for await (const ev of stream) podEvents.push(ev);
    })().catch(() => undefined);
    await runControllerManager(cs, { controllers: ['statefulset'] }, ac.signal);
  });

  after(async () => {
    ac.abort();
    cs.close();
    await ts.stop();
  });

  const getPod = (name: string) => cs.coreV1.pods.get(name, { namespace: NS }).catch(() => undefined);
  const ready = (p: Pod | undefined) => p?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') === true;

  it('creates web-0, then web-1 only once web-0 is Running and Ready, each with its identity and claim', async () => {
    await cs.appsV1.statefulSets.create({
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
        volumeClaimTemplates: [
          { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: quantity('1Gi') } } } },
        ],
      },
    });
    await eventually('web-0 created', async () => (await getPod('web-0')) !== undefined, 10_000);
    // web-0 is not Ready (the kubelet holds it): web-1 must not appear.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await getPod('web-1'), undefined);

    const web0 = (await getPod('web-0'))!;
    assert.equal(web0.spec?.hostname, 'web-0');
    assert.equal(web0.spec?.subdomain, 'web');
    assert.equal(web0.metadata?.labels['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(web0.metadata?.labels['apps.kubernetes.io/pod-index'], '0');
    assert.match(web0.metadata?.labels['controller-revision-hash'] ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const owner = web0.metadata?.ownerReferences[0];
    assert.equal(owner?.kind, 'StatefulSet');
    assert.equal(owner?.name, 'web');
    assert.equal(owner?.controller, true);
    assert.deepEqual(
      web0.spec?.volumes.find((v) => v.name === 'www')?.volumeSource?.persistentVolumeClaim?.claimName,
      'www-web-0',
    );
    const claim = await cs.coreV1.persistentVolumeClaims.get('www-web-0', { namespace: NS });
    assert.equal(claim.metadata?.labels.app, 'web');
    assert.equal(claim.spec?.resources?.requests.storage?.string, '1Gi');

    gateOpen = true;
    kubelet.poke();
    await eventually('web-1 Ready', async () => ready(await getPod('web-1')), 15_000);
    const readyWeb0 = (await getPod('web-0'))!;
    const web1 = (await getPod('web-1'))!;
    const web0ReadyAt = timeOf(readyWeb0.status?.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime)!;
    const web1Created = timeOf(web1.metadata?.creationTimestamp)!;
    assert.ok(web1Created.getTime() >= web0ReadyAt.getTime(), `web-1 created ${web1Created.toISOString()} before web-0 was Ready ${web0ReadyAt.toISOString()}`);
    const added = podEvents.filter((e) => e.type === 'ADDED').map((e) => e.object?.metadata?.name);
    assert.deepEqual(added, ['web-0', 'web-1']);
    // web-1 appeared only after the watch saw web-0 Ready.
    const firstWeb1 = podEvents.findIndex((e) => e.object?.metadata?.name === 'web-1');
    const web0ReadyEvent = podEvents.findIndex((e) => e.object?.metadata?.name === 'web-0' && ready(e.object));
    assert.ok(web0ReadyEvent >= 0 && web0ReadyEvent < firstWeb1, 'web-0 Ready seen before web-1 ADDED');
  });

  it('records upstream Events and status, and kubectl rollout status returns', async () => {
    await eventually('events', async () => {
      const events = await cs.coreV1.events.list({ namespace: NS, fieldSelector: 'involvedObject.name=web' });
      return events.items.filter((e) => e.reason === 'SuccessfulCreate').length >= 4;
    }, 10_000);
    const events = await cs.coreV1.events.list({ namespace: NS, fieldSelector: 'involvedObject.name=web' });
    const messages = events.items.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message).sort();
    assert.deepEqual(messages, [
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Pod web-1 in StatefulSet web successful',
    ]);
    assert.equal(events.items[0]?.involvedObject?.kind, 'StatefulSet');
    assert.equal(events.items[0]?.source?.component, 'statefulset-controller');

    const res = await k(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    const sts = await cs.appsV1.statefulSets.get('web', { namespace: NS });
    const st = sts.status!;
    assert.equal(st.replicas, 2);
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.availableReplicas, 2);
    assert.equal(st.currentReplicas, 2);
    assert.equal(st.updatedReplicas, 2);
    assert.equal(st.observedGeneration, sts.metadata?.generation);
    assert.equal(st.currentRevision, st.updateRevision);
    const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition;
    assert.equal(
      res.stdout,
      partition !== undefined ? 'partitioned roll out complete: 2 new pods have been updated...\n' : `statefulset rolling update complete 2 pods at revision ${st.currentRevision}...\n`,
    );
    const revs = await cs.appsV1.controllerRevisions.list({ namespace: NS, labelSelector: 'app=web' });
    assert.equal(revs.items.length, 1);
    const rev = revs.items[0]!;
    assert.equal(rev.metadata?.name, st.currentRevision);
    assert.equal(rev.revision, 1);
    assert.equal(`web-${rev.metadata?.labels['controller.kubernetes.io/hash'] ?? ''}`, rev.metadata?.name);
    assert.equal(rev.metadata?.ownerReferences[0]?.uid, sts.metadata?.uid);
    const data = JSON.parse(Buffer.from(rev.data!.raw!).toString('utf8')) as { spec: { template: Record<string, unknown> } };
    assert.equal(data.spec.template.$patch, 'replace');
  });

  it('rolls an update out highest ordinal first; rollout history and undo work', async () => {
    const before = (await cs.appsV1.statefulSets.get('web', { namespace: NS })).status!.currentRevision!;
    const mark = podEvents.length;
    const set = await k(['set', 'image', 'statefulset/web', 'nginx=nginx:1.26']);
    assert.equal(set.code, 0, set.stderr);
    const res = await k(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    await eventually('both pods on nginx:1.26', async () => {
      const pods = await cs.coreV1.pods.list({ namespace: NS, labelSelector: 'app=web' });
      return pods.items.length === 2 && pods.items.every((p) => p.spec?.containers[0]?.image === 'nginx:1.26' && ready(p));
    }, 20_000);
    const deleted = podEvents.slice(mark).filter((e) => e.type === 'DELETED').map((e) => e.object?.metadata?.name);
    assert.deepEqual(deleted, ['web-1', 'web-0']);
    const sts = await cs.appsV1.statefulSets.get('web', { namespace: NS });
    assert.notEqual(sts.status?.updateRevision, before);
    await eventually('update revision current', async () => {
      const s = await cs.appsV1.statefulSets.get('web', { namespace: NS });
      return s.status?.currentRevision === s.status?.updateRevision && s.status?.updatedReplicas === 2;
    });

    const history = await k(['rollout', 'history', 'statefulset/web']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^statefulset\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    // kubectl reads the template back out of the revision's data.
    const one = await k(['rollout', 'history', 'statefulset/web', '--revision=1']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /Image:\s+nginx:1\.25\n/);

    const undo = await k(['rollout', 'undo', 'statefulset/web']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.equal(undo.stdout, 'statefulset.apps/web rolled back\n');
    await eventually('back on nginx:1.25', async () => {
      const pods = await cs.coreV1.pods.list({ namespace: NS, labelSelector: 'app=web' });
      return pods.items.length === 2 && pods.items.every((p) => p.spec?.containers[0]?.image === 'nginx:1.25' && ready(p));
    }, 20_000);
    const afterUndo = await cs.appsV1.statefulSets.get('web', { namespace: NS });
    assert.equal(afterUndo.status?.updateRevision, before);
    const revs = await cs.appsV1.controllerRevisions.list({ namespace: NS, labelSelector: 'app=web' });
    const numbers = Object.fromEntries(revs.items.map((r) => [r.metadata?.name, r.revision]));
    // Rolling back renumbers the old revision to the newest.
    assert.equal(numbers[before], 3);
    assert.equal(revs.items.length, 2);
    const status = await k(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.equal(status.code, 0, status.stderr);
  });

  it('scales down highest ordinal first and keeps the claims', async () => {
    const mark = podEvents.length;
    await cs.appsV1.statefulSets.patch('web', 'merge', { spec: { replicas: 1 } }, { namespace: NS });
    await eventually('web-1 gone', async () => (await getPod('web-1')) === undefined, 10_000);
    assert.ok(await getPod('web-0'));
    const deleted = podEvents.slice(mark).filter((e) => e.type === 'DELETED').map((e) => e.object?.metadata?.name);
    assert.deepEqual(deleted, ['web-1']);
    await eventually('delete event', async () => {
      const events = await cs.coreV1.events.list({ namespace: NS, fieldSelector: 'involvedObject.name=web' });
      return events.items.some((e) => e.reason === 'SuccessfulDelete' && e.message === 'delete Pod web-1 in StatefulSet web successful');
    });
    const claim = await cs.coreV1.persistentVolumeClaims.get('www-web-1', { namespace: NS });
    assert.equal(claim.metadata?.name, 'www-web-1');
    await eventually('status replicas 1', async () => {
      const s = await cs.appsV1.statefulSets.get('web', { namespace: NS });
      return s.status?.replicas === 1 && s.status?.readyReplicas === 1;
    });
  });

  const template = (app: string, image: string) => ({
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'main', image }] },
  });
  const podsOf = async (app: string) => (await cs.coreV1.pods.list({ namespace: NS, labelSelector: `app=${app}` })).items;

  it('Parallel creates every ordinal without waiting for readiness', async () => {
    for (const n of ['par-0', 'par-1', 'par-2']) held.add(n);
    await cs.appsV1.statefulSets.create({
      metadata: { name: 'par', namespace: NS },
      spec: { replicas: 3, serviceName: 'par', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'par' } }, template: template('par', 'busybox:1') },
    });
    await eventually('3 pods, none ready', async () => (await podsOf('par')).length === 3, 10_000);
    assert.deepEqual((await podsOf('par')).filter(ready).map((p) => p.metadata?.name), []);
    held.clear();
    kubelet.poke();
    const res = await k(['rollout', 'status', 'statefulset/par', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await podsOf('par')).filter(ready).length, 3);
  });

  it('a partition updates only the ordinals at or above it', async () => {
    await cs.appsV1.statefulSets.create({
      metadata: { name: 'part', namespace: NS },
      spec: {
        replicas: 3,
        serviceName: 'part',
        selector: { matchLabels: { app: 'part' } },
        template: template('part', 'busybox:1'),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
      },
    });
    const first = await k(['rollout', 'status', 'statefulset/part', '--timeout=60s']);
    assert.equal(first.code, 0, first.stderr);
    await cs.appsV1.statefulSets.patch('part', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox:2' }] } } } }, { namespace: NS });
    const res = await k(['rollout', 'status', 'statefulset/part', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /partitioned roll out complete: 1 new pods have been updated\.\.\.\n$/);
    await eventually('part-2 on busybox:2', async () => {
      const pods = await podsOf('part');
      return pods.length === 3 && pods.every(ready) && pods.find((p) => p.metadata?.name === 'part-2')?.spec?.containers[0]?.image === 'busybox:2';
    }, 15_000);
    const images = Object.fromEntries((await podsOf('part')).map((p) => [p.metadata?.name, p.spec?.containers[0]?.image]));
    assert.deepEqual(images, { 'part-0': 'busybox:1', 'part-1': 'busybox:1', 'part-2': 'busybox:2' });
    const st = (await cs.appsV1.statefulSets.get('part', { namespace: NS })).status!;
    assert.equal(st.updatedReplicas, 1);
    assert.equal(st.currentReplicas, 2);
    assert.notEqual(st.currentRevision, st.updateRevision);
  });

  it('OnDelete replaces a pod only when it is deleted; rollout status refuses it', async () => {
    await cs.appsV1.statefulSets.create({
      metadata: { name: 'ond', namespace: NS },
      spec: { replicas: 1, serviceName: 'ond', selector: { matchLabels: { app: 'ond' } }, template: template('ond', 'busybox:1'), updateStrategy: { type: 'OnDelete' } },
    });
    await eventually('ond-0 ready', async () => (await podsOf('ond')).some(ready), 10_000);
    await cs.appsV1.statefulSets.patch('ond', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox:2' }] } } } }, { namespace: NS });
    await eventually('update revision observed', async () => {
      const s = await cs.appsV1.statefulSets.get('ond', { namespace: NS });
      return s.status?.observedGeneration === s.metadata?.generation && s.status?.updateRevision !== s.status?.currentRevision;
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await podsOf('ond'))[0]?.spec?.containers[0]?.image, 'busybox:1');
    const res = await k(['rollout', 'status', 'statefulset/ond', '--timeout=10s']);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'error: rollout status is only available for RollingUpdate strategy type\n');
    await cs.coreV1.pods.delete('ond-0', { namespace: NS });
    await eventually('ond-0 back on busybox:2', async () => {
      const pods = await podsOf('ond');
      return pods.length === 1 && pods[0]?.spec?.containers[0]?.image === 'busybox:2' && ready(pods[0]);
    }, 10_000);
  });

  it('whenScaled: Delete removes the claims of the ordinals scaled away', async () => {
    await cs.appsV1.statefulSets.create({
      metadata: { name: 'db', namespace: NS },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: template('db', 'busybox:1'),
        persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: quantity('1Gi') } } } }],
      },
    });
    const res = await k(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    assert.equal(res.code, 0, res.stderr);
    await cs.appsV1.statefulSets.patch('db', 'merge', { spec: { replicas: 1 } }, { namespace: NS });
    await eventually('data-db-1 deleted', async () => {
      try {
        await cs.coreV1.persistentVolumeClaims.get('data-db-1', { namespace: NS });
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    }, 15_000);
    const kept = await cs.coreV1.persistentVolumeClaims.get('data-db-0', { namespace: NS });
    assert.deepEqual(kept.metadata?.ownerReferences, []);
  });
});
