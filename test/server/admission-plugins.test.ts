/**
 * The ServiceAccount and LimitRanger admission plugins through the real server: a Pod gets
 * the `default` account and the projected API-access volume mounted in every container as
 * upstream shapes them (not when the Pod or its account opts out), a missing account is
 * upstream's 403; a namespace's LimitRange defaults container resources (with the
 * `kubernetes.io/limit-ranger` annotation) and refuses limits above its max in upstream's words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { failureStatus } from '../helpers/objects.js';

const NS = 'plugins';
const PODS = `/api/v1/namespaces/${NS}/pods`;

const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The volume source upstream's ServiceAccount plugin adds (kubectl get pod -o json shows it so). */
const PROJECTED = {
  defaultMode: 420,
  sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ],
};

const forbidden = (name: string, message: string) => failureStatus(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });

describe('admission plugins', () => {
  let ts: TestServer;
  const http = (method: string, path: string, body?: unknown) => api(ts.server, method, path, body);
  const create = (name: string, spec: Record<string, unknown>, ns = NS) =>
    http('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });

  before(async () => {
    ts = await startTestServer();
    for (const ns of [NS, 'limits', 'limits2', 'compute']) assert.equal((await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
  });
  after(async () => {
    await ts.stop();
  });

  describe('ServiceAccount', () => {
    it('gives a Pod the default account and mounts the API-access volume in every container and init container', async () => {
      const r = await create('mounted', { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', emptyDir: {} }] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const spec = r.body.spec;
      assert.equal(spec.serviceAccountName, 'default');
      assert.equal(spec.serviceAccount, 'default');
      assert.equal(spec.volumes.length, 2);
      assert.deepEqual(spec.volumes[0], { name: 'data', emptyDir: {} });
      const volume = spec.volumes[1];
      assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(volume, { name: volume.name, projected: PROJECTED });
      const mount = { name: volume.name, readOnly: true, mountPath: MOUNT_PATH };
      assert.deepEqual(spec.initContainers[0].volumeMounts, [mount]);
      assert.deepEqual(spec.containers[0].volumeMounts, [mount]);
      assert.deepEqual(spec.containers[1].volumeMounts, [{ name: 'data', mountPath: '/data' }, mount]);
      // The stored object is what the create answered.
      assert.deepEqual((await http('GET', `${PODS}/mounted`)).body.spec, spec);
    });

    it('leaves a Pod with automountServiceAccountToken: false alone', async () => {
      const r = await create('no-mount', { automountServiceAccountToken: false, containers: [{ name: 'a', image: 'nginx' }] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.spec.serviceAccountName, 'default');
      assert.equal(r.body.spec.volumes, undefined);
      assert.equal(r.body.spec.containers[0].volumeMounts, undefined);
    });

    it('leaves a Pod whose account says automountServiceAccountToken: false alone, and copies its imagePullSecrets', async () => {
      const sa = await http('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'quiet' },
        automountServiceAccountToken: false,
        imagePullSecrets: [{ name: 'registry' }],
      });
      assert.equal(sa.status, 201, JSON.stringify(sa.body));
      const r = await create('quiet-pod', { serviceAccountName: 'quiet', containers: [{ name: 'a', image: 'nginx' }] });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.spec.serviceAccountName, 'quiet');
      assert.equal(r.body.spec.volumes, undefined);
      assert.deepEqual(r.body.spec.imagePullSecrets, [{ name: 'registry' }]);
      // The Pod's own true wins over the account's false.
      const own = await create('quiet-but-mounted', { serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'a', image: 'nginx' }] });
      assert.equal(own.status, 201);
      assert.equal(own.body.spec.volumes.length, 1);
    });

    it('refuses a Pod naming a missing account with upstream\'s 403', async () => {
      const r = await create('orphan', { serviceAccountName: 'nope', containers: [{ name: 'a', image: 'nginx' }] });
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('orphan', `error looking up service account ${NS}/nope: serviceaccount "nope" not found`));
    });

    it('admits a dry-run Pod the same way, without storing it', async () => {
      const r = await http('POST', `${PODS}?dryRun=All`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dry' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } });
      assert.equal(r.status, 201);
      assert.equal(r.body.spec.volumes[0].projected.sources.length, 3);
      assert.equal((await http('GET', `${PODS}/dry`)).status, 404);
    });
  });

  describe('LimitRanger', () => {
    before(async () => {
      const lr = await http('POST', '/api/v1/namespaces/limits/limitranges', {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'lr' },
        spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' }, max: { memory: '1Gi' } }] },
      });
      assert.equal(lr.status, 201, JSON.stringify(lr.body));
      // LimitRange defaulting: defaultRequest memory from default.
      assert.deepEqual(lr.body.spec.limits[0].defaultRequest, { cpu: '100m', memory: '256Mi' });
    });

    it('applies the Container defaults to containers that lack them, and says so in the annotation', async () => {
      const r = await create('defaulted', { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx', resources: { limits: { memory: '512Mi' }, requests: { memory: '128Mi' } } }] }, 'limits');
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
      assert.deepEqual(r.body.spec.containers[1].resources, { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
      assert.equal(
        r.body.metadata.annotations['kubernetes.io/limit-ranger'],
        'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; cpu request for container b; cpu limit for container b',
      );
    });

    it('refuses a limit above the max with upstream\'s message', async () => {
      const r = await create('big', { containers: [{ name: 'a', image: 'nginx', resources: { limits: { memory: '2Gi' } } }] }, 'limits');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('big', 'maximum memory usage per Container is 1Gi, but limit is 2Gi'));
    });

    it('lists several violations as upstream aggregates them', async () => {
      const r = await create('bigger', { containers: [{ name: 'a', image: 'nginx', resources: { limits: { memory: '2Gi' } } }, { name: 'b', image: 'nginx', resources: { limits: { memory: '3Gi' } } }] }, 'limits');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('bigger', '[maximum memory usage per Container is 1Gi, but limit is 2Gi, maximum memory usage per Container is 1Gi, but limit is 3Gi]'));
    });
  });

  describe('LimitRanger on Pods as a whole and on claims', () => {
    before(async () => {
      const lr = await http('POST', '/api/v1/namespaces/limits2/limitranges', {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'lr' },
        spec: { limits: [{ type: 'Pod', max: { cpu: '1' } }, { type: 'PersistentVolumeClaim', max: { storage: '1Gi' } }] },
      });
      assert.equal(lr.status, 201, JSON.stringify(lr.body));
    });

    it('sums the containers against a Pod max', async () => {
      const cpu = { limits: { cpu: '600m' } };
      const r = await create('pair', { containers: [{ name: 'a', image: 'nginx', resources: cpu }, { name: 'b', image: 'nginx', resources: cpu }] }, 'limits2');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('pair', 'maximum cpu usage per Pod is 1, but limit is 1200m'));
      assert.equal((await create('single', { containers: [{ name: 'a', image: 'nginx', resources: cpu }] }, 'limits2')).status, 201);
    });

    it('holds a claim\'s storage request to the claim max', async () => {
      const claim = (name: string, storage: string) =>
        http('POST', '/api/v1/namespaces/limits2/persistentvolumeclaims', {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
        });
      const r = await claim('big', '2Gi');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, {
        ...forbidden('big', ''),
        message: 'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 2Gi',
        details: { name: 'big', kind: 'persistentvolumeclaims' },
      });
      assert.equal((await claim('small', '512Mi')).status, 201);
    });
  });

  describe('ResourceQuota beyond Pod counts', () => {
    before(async () => {
      const q = await http('POST', '/api/v1/namespaces/compute/resourcequotas', {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'compute' },
        spec: { hard: { 'requests.cpu': '1', 'count/configmaps': '1' } },
      });
      assert.equal(q.status, 201, JSON.stringify(q.body));
      for (let i = 0; i < 100; i++) {
        const r = await http('GET', '/api/v1/namespaces/compute/resourcequotas/compute');
        if (r.body.status?.used) {
          assert.deepEqual(r.body.status, { hard: { 'requests.cpu': '1', 'count/configmaps': '1' }, used: { 'requests.cpu': '0', 'count/configmaps': '0' } });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail('the quota controller never reported usage');
    });

    it('requires every container to request what a Pod quota tracks', async () => {
      const r = await create('nocpu', { containers: [{ name: 'c', image: 'nginx' }, { name: 'd', image: 'nginx', resources: { requests: { cpu: '100m' } } }] }, 'compute');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('nocpu', 'failed quota: compute: must specify requests.cpu for: c'));
    });

    it('charges Pod cpu requests and refuses what exceeds them', async () => {
      const cpu = (name: string) => create(name, { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '600m' } } }] }, 'compute');
      assert.equal((await cpu('first')).status, 201);
      const r = await cpu('second');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, forbidden('second', 'exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1'));
      const q = await http('GET', '/api/v1/namespaces/compute/resourcequotas/compute');
      assert.deepEqual(q.body.status.used, { 'requests.cpu': '600m', 'count/configmaps': '0' });
    });

    it('counts objects of other kinds by count/<resource>', async () => {
      const cm = (name: string) => http('POST', '/api/v1/namespaces/compute/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      assert.equal((await cm('cm1')).status, 201);
      const r = await cm('cm2');
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, {
        ...forbidden('cm2', 'exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1'),
        message: 'configmaps "cm2" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
        details: { name: 'cm2', kind: 'configmaps' },
      });
    });
  });
});
