/**
 * The SDK's clientset, credentials, deadlines and cancellation, work queue and leader election
 * against a real server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testClientset } from '../helpers/clientset.js';
import { eventuallyPasses } from '../helpers/eventually.js';
import { connect, EventRecorder, objectReference, RateLimitingQueue, runLeaderElection, runWorkers, StatusError, timeOf, type Clientset } from '../../src/client/index.js';

let s: TestServer;
let cs: Clientset;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wheelhouse-sdk-'));
  await writeFile(join(dir, 'tokens.csv'), 'sometoken,carol,1001,"devs,ops"\n');
  s = await startTestServer({ tokenAuthFile: join(dir, 'tokens.csv') });
  cs = testClientset(s.server);
});
after(async () => {
  cs.close();
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

const whoami = async (c: Clientset) => (await c.authenticationV1.selfSubjectReviews.create({})).status?.userInfo;

describe('credentials', () => {
  test('the kubeconfig the server writes: its gRPC extension and the admin certificate', async () => {
    const c = connect({ kubeconfig: s.server.kubeconfigPath, tlsServerName: 'localhost' });
    try {
      assert.equal(c.connection.server, s.server.grpcAddress);
      assert.equal(c.connection.namespace, 'default');
      assert.deepEqual(await whoami(c), { username: 'admin', uid: undefined, groups: ['system:masters', 'system:authenticated'], extra: {} });
    } finally {
      c.close();
    }
  });

  test('a bearer token, and a ServiceAccount token from a file', async () => {
    const carol = connect({ server: s.server.grpcAddress, caPem: s.server.pki.trustedCaPem, token: 'sometoken', tlsServerName: 'localhost' });
    try {
      assert.deepEqual(await whoami(carol), { username: 'carol', uid: '1001', groups: ['devs', 'ops', 'system:authenticated'], extra: {} });
    } finally {
      carol.close();
    }
    await cs.coreV1.serviceAccounts.create({ metadata: { name: 'robot', namespace: 'default' } });
    const tr = await cs.coreV1.serviceAccounts.createToken('robot', { spec: { audiences: [], expirationSeconds: 600 } }, { namespace: 'default' });
    assert.ok(tr.status?.token?.split('.').length === 3, 'a JWT');
    await writeFile(join(dir, 'sa-token'), `${tr.status?.token}\n`);
    const robot = connect({ server: s.server.grpcAddress, caPem: s.server.pki.trustedCaPem, tokenFile: join(dir, 'sa-token'), tlsServerName: 'localhost' });
    try {
      const who = await whoami(robot);
      assert.equal(who?.username, 'system:serviceaccount:default:robot');
      assert.deepEqual(who?.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    } finally {
      robot.close();
    }
    const bad = connect({ server: s.server.grpcAddress, caPem: s.server.pki.trustedCaPem, token: 'wrong', tlsServerName: 'localhost' });
    try {
      await assert.rejects(whoami(bad), (e: unknown) => e instanceof StatusError && e.reason === 'Unauthorized' && e.code === 401);
    } finally {
      bad.close();
    }
  });
});

describe('clientset', () => {
  test('typed errors, pages, patch and apply, subresources, deadlines and cancellation', async () => {
    const cms = cs.coreV1.configMaps.in('default');
    await assert.rejects(cms.get('absent'), (e: unknown) => e instanceof StatusError && e.reason === 'NotFound' && e.code === 404 && e.message === 'configmaps "absent" not found');
    const made = await cms.create({ metadata: { name: 'c0', labels: { set: 'pages' } }, data: { k: 'v' } });
    await assert.rejects(cms.create({ metadata: { name: 'c0' } }), (e: unknown) => e instanceof StatusError && e.reason === 'AlreadyExists' && e.message === 'configmaps "c0" already exists');
    await assert.rejects(cms.update({ metadata: { name: 'c0', resourceVersion: '1' } }), (e: unknown) => e instanceof StatusError && e.reason === 'Conflict' && e.code === 409);
    for (let i = 1; i < 1203; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, 1203 - i) }, (_, j) => cms.create({ metadata: { name: `c${i + j}`, labels: { set: 'pages' } } })));
    }
    const all = await cms.list({ labelSelector: 'set=pages' });
    assert.equal(all.items.length, 1203, 'a list without limit reads every page (500 at a time)');
    assert.equal(all.metadata?.continue, undefined);
    const one = await cms.list({ labelSelector: 'set=pages', limit: 10 });
    assert.equal(one.items.length, 10);
    assert.ok(one.metadata?.continue);
    const merged = await cms.patch('c0', 'merge', { data: { k: 'w' } });
    assert.equal(merged.data.k, 'w');
    assert.ok(Number(merged.metadata?.resourceVersion) > Number(made.metadata?.resourceVersion));
    const applied = await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } }, { fieldManager: 'sdk-test' });
    assert.deepEqual(applied.data, { a: '1' });
    assert.equal(applied.metadata?.managedFields[0]?.manager, 'sdk-test');
    assert.equal(applied.metadata?.managedFields[0]?.operation, 'Apply');
    const removed = await cms.deleteCollection({ labelSelector: 'set=pages' });
    assert.equal(removed.items.length, 1203);

    const deps = cs.appsV1.deployments.in('default');
    await deps.create({ metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
    const scale = await deps.getScale('d');
    assert.equal(scale.spec?.replicas, 1);
    const scaled = await deps.updateScale({ ...scale, spec: { replicas: 4 } });
    assert.equal(scaled.spec?.replicas, 4);
    const got = await deps.get('d');
    const withStatus = await deps.updateStatus({ ...got, status: { ...got.status, observedGeneration: 7 } });
    assert.equal(withStatus.status?.observedGeneration, 7);
    assert.equal(withStatus.spec?.replicas, 4);

    await assert.rejects(cms.list({ timeoutMs: 1, limit: 1 }), (e: unknown) => e instanceof StatusError && e.grpcCode === 4 && e.reason === 'Timeout');
    const ac = new AbortController();
    const watch = cms.watch({ signal: ac.signal });
    const events: string[] = [];
    const done = (async () => {
      for await (const ev of watch) events.push(`${ev.type}:${ev.object?.metadata?.name}`);
    })();
    await cms.create({ metadata: { name: 'watched' } });
    await eventuallyPasses(() => assert.ok(events.includes('ADDED:watched')), 10_000);
    ac.abort();
    await done;
    const pending = new AbortController();
    const call = cms.get('watched', { signal: pending.signal });
    pending.abort();
    await assert.rejects(call, (e: unknown) => e instanceof StatusError && e.grpcCode === 1);
  });
});

describe('event recorder', () => {
  test('repeats, even fired at once, are counted on one Event', async () => {
    const rec = new EventRecorder(cs, { component: 'sdk-test' });
    const cm = await cs.coreV1.configMaps.create({ metadata: { name: 'evented', namespace: 'default' } });
    const ref = objectReference(cs.coreV1.configMaps, cm);
    assert.deepEqual({ kind: ref.kind, apiVersion: ref.apiVersion, name: ref.name, namespace: ref.namespace, uid: ref.uid }, { kind: 'ConfigMap', apiVersion: 'v1', name: 'evented', namespace: 'default', uid: cm.metadata?.uid });
    await Promise.all([1, 2, 3].map(() => rec.event(ref, 'Warning', 'Tested', 'three at once')));
    const events = (await cs.coreV1.events.list({ namespace: 'default', fieldSelector: 'involvedObject.name=evented' })).items;
    assert.equal(events.length, 1);
    assert.equal(events[0]?.count, 3);
    assert.equal(events[0]?.type, 'Warning');
    assert.equal(events[0]?.reason, 'Tested');
    assert.equal(events[0]?.source?.component, 'sdk-test');
  });
});

describe('work queue', () => {
  test('an item is queued once, never handed to two workers, and retried with backoff', async () => {
    const q = new RateLimitingQueue<string>();
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.len(), 2);
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a'); // while it is processed: queued again only once it is done
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'b');
    q.done('b');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    const calls: Array<[string, number]> = [];
    const ac = new AbortController();
    const t0 = Date.now();
    const workers = runWorkers(q, 2, async (k) => {
      calls.push([k, Date.now() - t0]);
      if (calls.length < 4) throw new Error('again');
    }, ac.signal);
    q.add('x');
    await eventuallyPasses(() => assert.equal(calls.length, 4), 5_000);
    assert.deepEqual(calls.map((c) => c[0]), ['x', 'x', 'x', 'x']);
    assert.equal(q.numRequeues('x'), 0, 'forgotten after it succeeded');
    ac.abort();
    await workers;
    assert.equal(await q.get(), undefined, 'shut down');
  });
});

describe('leader election', () => {
  test('one leader at a time, upstream Lease fields, release hands over at once, a crash within the lease duration', async () => {
    const timing = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 };
    const leading = new Set<string>();
    const overlap: string[] = [];
    const candidate = (identity: string, releaseOnCancel = true) => {
      const ac = new AbortController();
      const run = runLeaderElection(cs, { namespace: 'kube-system', name: 'sdk-test', identity, releaseOnCancel, ...timing, onStartedLeading: (sig) => {
        if (leading.size > 0) overlap.push(`${identity} while ${[...leading].join()}`);
        leading.add(identity);
        sig.addEventListener('abort', () => leading.delete(identity));
      } }, ac.signal);
      return { ac, run };
    };
    const a = candidate('a');
    await eventuallyPasses(() => assert.deepEqual([...leading], ['a']), 5_000);
    const b = candidate('b', false);
    const l1 = await cs.coordinationV1.leases.get('sdk-test', { namespace: 'kube-system' });
    assert.equal(l1.spec?.holderIdentity, 'a');
    assert.equal(l1.spec?.leaseDurationSeconds, 2);
    assert.equal(l1.spec?.leaseTransitions, 0);
    assert.ok(timeOf(l1.spec?.acquireTime));
    await new Promise((r) => setTimeout(r, 1_000));
    const l2 = await cs.coordinationV1.leases.get('sdk-test', { namespace: 'kube-system' });
    assert.equal(l2.spec?.holderIdentity, 'a', 'the standby does not take a renewed lease');
    assert.ok((timeOf(l2.spec?.renewTime)?.getTime() ?? 0) > (timeOf(l1.spec?.renewTime)?.getTime() ?? 0), 'renewTime advances');
    assert.deepEqual(timeOf(l2.spec?.acquireTime), timeOf(l1.spec?.acquireTime));
    const released = Date.now();
    a.ac.abort();
    await a.run;
    await eventuallyPasses(() => assert.deepEqual([...leading], ['b']), 3_000);
    assert.ok(Date.now() - released < 1_500, 'a released lease is taken within a retry period or so');
    const l3 = await cs.coordinationV1.leases.get('sdk-test', { namespace: 'kube-system' });
    assert.equal(l3.spec?.holderIdentity, 'b');
    assert.equal(l3.spec?.leaseTransitions, 1);
    // b "crashes": it stops without releasing (releaseOnCancel false); c takes over once the lease has run out.
    const c = candidate('c');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([...leading], ['b']);
    b.ac.abort();
    await b.run;
    const crashed = Date.now();
    await eventuallyPasses(() => assert.deepEqual([...leading], ['c']), 6_000);
    const handover = Date.now() - crashed;
    assert.ok(handover >= 1_000 && handover < 4_500, `handed over after ${handover} ms (lease 2 s)`);
    const l5 = await cs.coordinationV1.leases.get('sdk-test', { namespace: 'kube-system' });
    assert.equal(l5.spec?.holderIdentity, 'c');
    assert.equal(l5.spec?.leaseTransitions, 2);
    c.ac.abort();
    await c.run;
    assert.deepEqual(overlap, []);
  });
});
