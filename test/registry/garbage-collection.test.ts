/**
 * The garbage collector and propagation policies, on the embedded store and on real etcd:
 * Foreground deletes owned ConfigMaps before their Deployment, Background after it,
 * Orphan leaves them without the reference; dangling uids are collected; blocking
 * dependents hold a Foreground owner; a cluster-scoped dependent of a namespaced owner is
 * left alone with upstream's warning event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findEtcd, startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { deploymentManifest } from '../helpers/objects.js';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { deletedAll, watchUntil } from '../helpers/watch.js';

type Json = Record<string, any>;

const backends: { name: string; etcd: boolean }[] = [{ name: 'embedded', etcd: false }];
if (findEtcd()) backends.push({ name: 'etcd', etcd: true });

for (const backend of backends) {
  describe(`garbage collection (${backend.name} store)`, () => {
    let t: TestServer;
    let etcd: EtcdInstance | undefined;
    const NS = 'gc';
    const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments`;
    const CM = `/api/v1/namespaces/${NS}/configmaps`;
    const call = (method: string, path: string, body?: unknown) => api(t.server, method, path, body);
    /** Drops every finalizer (a merge patch), as a controller finishing its work does. */
    const release = async (path: string): Promise<void> => {
      const r = await api(t.server, 'PATCH', path, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
      assert.ok(r.status === 200 || r.status === 404, JSON.stringify(r.body));
    };

    before(async () => {
      if (backend.etcd) etcd = await startEtcd();
      t = await startTestServer(etcd ? { etcdServers: [etcd.endpoint] } : {});
      assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    });
    after(async () => {
      await t.stop();
      await etcd?.stop();
    });

    /** A Deployment and ConfigMaps it owns (blockOwnerDeletion as given); returns the Deployment. */
    async function owned(name: string, cms: string[], block = true, extra: Json = {}): Promise<Json> {
      const d = await call('POST', DEPLOY, deploymentManifest(name));
      assert.equal(d.status, 201);
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.body.metadata.uid, controller: true, blockOwnerDeletion: block };
      for (const cm of cms) {
        const c = await call('POST', CM, { metadata: { name: cm, ownerReferences: [ref], ...extra }, data: { k: 'v' } });
        assert.equal(c.status, 201, JSON.stringify(c.body));
      }
      return d.body;
    }

    const rvNow = async (): Promise<string> => (await call('GET', CM)).body.metadata.resourceVersion;

    it('Foreground: returns the owner marked, deletes the ConfigMaps first, then the Deployment', async () => {
      const d = await owned('fg', ['fg-a', 'fg-b']);
      const rv = await rvNow();
      const r = await call('DELETE', `${DEPLOY}/fg`, { propagationPolicy: 'Foreground' });
      assert.equal(r.status, 200);
      assert.equal(r.body.kind, 'Deployment');
      assert.deepEqual(r.body.metadata.finalizers, ['foregroundDeletion']);
      assert.equal(typeof r.body.metadata.deletionTimestamp, 'string');
      assert.equal(r.body.metadata.deletionGracePeriodSeconds, 0);
      // markAsDeleting bumps the generation once.
      assert.equal(r.body.metadata.generation, d.metadata.generation + 1);
      const owners = await watchUntil(t.server, `${DEPLOY}?resourceVersion=${rv}`, deletedAll(['fg']));
      const cms = await watchUntil(t.server, `${CM}?resourceVersion=${rv}`, deletedAll(['fg-a', 'fg-b']));
      const deletedAt = (evs: typeof cms, name: string) => Number(evs.find((e) => e.type === 'DELETED' && e.object.metadata.name === name)!.object.metadata.resourceVersion);
      const ownerGone = deletedAt(owners, 'fg');
      assert.ok(deletedAt(cms, 'fg-a') < ownerGone, 'fg-a goes before its owner');
      assert.ok(deletedAt(cms, 'fg-b') < ownerGone, 'fg-b goes before its owner');
      // The owner's last state before removal: the finalizer gone.
      const last = owners.filter((e) => e.object.metadata.name === 'fg').at(-1)!;
      assert.equal(last.object.metadata.finalizers, undefined);
    });

    it('Background (the default for apps/v1): the owner goes at once, the ConfigMaps after it', async () => {
      await owned('bg', ['bg-a', 'bg-b']);
      const rv = await rvNow();
      const r = await call('DELETE', `${DEPLOY}/bg`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'bg', group: 'apps', kind: 'deployments', uid: r.body.details.uid },
        code: 200,
      });
      assert.equal((await call('GET', `${DEPLOY}/bg`)).status, 404);
      await watchUntil(t.server, `${CM}?resourceVersion=${rv}`, deletedAll(['bg-a', 'bg-b']));
    });

    it('Orphan: the ConfigMaps stay, without the ownerReference; the owner goes once they are orphaned', async () => {
      await owned('or', ['or-a', 'or-b']);
      const rv = await rvNow();
      const r = await call('DELETE', `${DEPLOY}/or`, { propagationPolicy: 'Orphan' });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.finalizers, ['orphan']);
      assert.equal(typeof r.body.metadata.deletionTimestamp, 'string');
      await watchUntil(t.server, `${DEPLOY}?resourceVersion=${rv}`, deletedAll(['or']));
      for (const name of ['or-a', 'or-b']) {
        const cm = await call('GET', `${CM}/${name}`);
        assert.equal(cm.status, 200);
        assert.equal(cm.body.metadata.ownerReferences, undefined);
        assert.deepEqual(cm.body.data, { k: 'v' });
      }
    });

    it('orphanDependents=false (legacy) deletes dependents and answers 202 while the owner lingers', async () => {
      await owned('legacy', ['legacy-a']);
      const rv = await rvNow();
      const r = await call('DELETE', `${DEPLOY}/legacy`, { orphanDependents: false, gracePeriodSeconds: 0 });
      // orphanDependents=false with no policy: Background, nothing lingers: a success Status.
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'Success');
      await watchUntil(t.server, `${CM}?resourceVersion=${rv}`, deletedAll(['legacy-a']));
      // With a finalizer of its own the owner lingers: 202 and the object.
      const held = await call('POST', DEPLOY, { ...deploymentManifest('legacy2'), metadata: { name: 'legacy2', finalizers: ['example.com/hold'] } });
      assert.equal(held.status, 201);
      const r2 = await call('DELETE', `${DEPLOY}/legacy2`, { orphanDependents: false });
      assert.equal(r2.status, 202);
      assert.deepEqual(r2.body.metadata.finalizers, ['example.com/hold']);
      const both = await call('DELETE', `${DEPLOY}/legacy2`, { orphanDependents: true, propagationPolicy: 'Orphan' });
      assert.equal(both.status, 422);
      assert.equal(both.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
      const bad = await call('DELETE', `${DEPLOY}/legacy2`, { propagationPolicy: 'Sideways' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.reason, 'Invalid');
      assert.equal(bad.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
      // An empty name is omitted from details, as Go's omitempty does.
      assert.deepEqual(bad.body.details, {
        group: 'meta.k8s.io',
        kind: 'DeleteOptions',
        causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: 'Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"' }],
      });
      const rvHeld = await rvNow();
      await release(`${DEPLOY}/legacy2`);
      await watchUntil(t.server, `${DEPLOY}?resourceVersion=${rvHeld}`, deletedAll(['legacy2']));
    });

    it('collects a dependent whose owner uid does not match the live owner (dangling), keeps the one that matches', async () => {
      const d = await owned('live', ['live-ok']);
      const rv = await rvNow();
      const wrong = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'live', uid: '00000000-0000-0000-0000-000000000000' };
      const c = await call('POST', CM, { metadata: { name: 'live-stale', ownerReferences: [wrong] } });
      assert.equal(c.status, 201);
      const missing = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'never-was', uid: '11111111-1111-1111-1111-111111111111' };
      assert.equal((await call('POST', CM, { metadata: { name: 'orphaned-at-birth', ownerReferences: [missing] } })).status, 201);
      // One live and one dangling owner: only the dangling reference goes.
      const mixed = await call('POST', CM, {
        metadata: { name: 'live-mixed', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'live', uid: d.metadata.uid }, missing] },
      });
      assert.equal(mixed.status, 201);
      await watchUntil(t.server, `${CM}?resourceVersion=${rv}`, (evs) =>
        deletedAll(['live-stale', 'orphaned-at-birth'])(evs) &&
        evs.some((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'live-mixed' && e.object.metadata.ownerReferences?.length === 1),
      );
      const ok = await call('GET', `${CM}/live-ok`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.metadata.ownerReferences[0].uid, d.metadata.uid);
      const m = await call('GET', `${CM}/live-mixed`);
      assert.deepEqual(m.body.metadata.ownerReferences.map((r: Json) => r.uid), [d.metadata.uid]);
    });

    it('blockOwnerDeletion: a Foreground owner waits for a blocking dependent held by a finalizer, not for a non-blocking one', async () => {
      const d = await owned('blk', ['blk-held'], true, { finalizers: ['example.com/hold'] });
      const free = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'blk', uid: d.metadata.uid, blockOwnerDeletion: false };
      assert.equal((await call('POST', CM, { metadata: { name: 'blk-free', ownerReferences: [free], finalizers: ['example.com/hold'] } })).status, 201);
      const rv = await rvNow();
      assert.equal((await call('DELETE', `${DEPLOY}/blk`, { propagationPolicy: 'Foreground' })).status, 200);
      // Both dependents are deleted (marked: their finalizers hold them).
      await watchUntil(t.server, `${CM}?resourceVersion=${rv}`, (evs) =>
        ['blk-held', 'blk-free'].every((n) => evs.some((e) => e.object.metadata.name === n && e.object.metadata.deletionTimestamp)),
      );
      // The owner still waits for the blocking one.
      const waiting = await call('GET', `${DEPLOY}/blk`);
      assert.equal(waiting.status, 200);
      assert.deepEqual(waiting.body.metadata.finalizers, ['foregroundDeletion']);
      const rv2 = await rvNow();
      await release(`${CM}/blk-held`);
      await watchUntil(t.server, `${DEPLOY}?resourceVersion=${rv2}`, deletedAll(['blk']));
      // The non-blocking dependent is still held by its own finalizer; release it.
      const freeNow = await call('GET', `${CM}/blk-free`);
      assert.equal(freeNow.status, 200);
      assert.equal(typeof freeNow.body.metadata.deletionTimestamp, 'string');
      const rv3 = await rvNow();
      await release(`${CM}/blk-free`);
      await watchUntil(t.server, `${CM}?resourceVersion=${rv3}`, deletedAll(['blk-free']));
    });

    it('leaves a cluster-scoped dependent of a namespaced owner, with an OwnerRefInvalidNamespace warning event', async () => {
      const d = await owned('nsowner', []);
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nsowner', uid: d.metadata.uid };
      const rv = await rvNow();
      const ns = await call('POST', '/api/v1/namespaces', { metadata: { name: 'gc-owned-ns', ownerReferences: [ref] } });
      assert.equal(ns.status, 201);
      const events = await watchUntil(t.server, `/api/v1/namespaces/default/events?resourceVersion=${rv}`, (evs) =>
        evs.some((e) => e.object.reason === 'OwnerRefInvalidNamespace' && e.object.involvedObject?.name === 'gc-owned-ns'),
      );
      const ev = events.find((e) => e.object.reason === 'OwnerRefInvalidNamespace')!.object;
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.message, `ownerRef [apps/v1/Deployment, namespace: , name: nsowner, uid: ${d.metadata.uid}] does not exist in namespace ""`);
      assert.deepEqual(ev.involvedObject, { kind: 'Namespace', apiVersion: 'v1', name: 'gc-owned-ns', uid: ns.body.metadata.uid });
      assert.deepEqual(ev.source, { component: 'garbage-collector-controller' });
      // The owner goes; a namespaced dependent of it is collected, the namespace is not.
      const c = await call('POST', CM, { metadata: { name: 'nsowner-cm', ownerReferences: [ref] } });
      assert.equal(c.status, 201);
      const rv2 = await rvNow();
      assert.equal((await call('DELETE', `${DEPLOY}/nsowner`)).status, 200);
      await watchUntil(t.server, `${CM}?resourceVersion=${rv2}`, deletedAll(['nsowner-cm']));
      const still = await call('GET', '/api/v1/namespaces/gc-owned-ns');
      assert.equal(still.status, 200);
      assert.equal(still.body.metadata.deletionTimestamp, undefined);
    });

    it('batch/v1 Job orphans by default and warns; batch/v1 Background does not', async () => {
      const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`;
      const job = (name: string) => ({
        metadata: { name },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      });
      assert.equal((await call('POST', JOBS, job('j1'))).status, 201);
      const r = await call('DELETE', `${JOBS}/j1`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.metadata.finalizers, ['orphan']);
      assert.equal(
        r.headers.get('warning'),
        '299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"',
      );
      assert.equal((await call('POST', JOBS, job('j2'))).status, 201);
      const r2 = await call('DELETE', `${JOBS}/j2`, { propagationPolicy: 'Background' });
      assert.equal(r2.status, 200);
      assert.equal(r2.body.status, 'Success');
      assert.equal(r2.headers.get('warning'), null);
    });
  });
}
