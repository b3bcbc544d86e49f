/**
 * apps/v1 StatefulSet, DaemonSet, ControllerRevision and core/v1 PersistentVolume,
 * PersistentVolumeClaim, PodTemplate through kubectl 1.33: create, get (object and table),
 * list, patch, update and delete, upstream's defaults back, and one validation failure per
 * kind with upstream's message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MINOR = 33;

const POD = `      containers:
      - name: web
        image: nginx:1.27`;

const STS = (name: string, templateApp = 'db') => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: ${templateApp}}}
    spec:
${POD}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

const DS = (name: string, selectorApp = 'agent') => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${selectorApp}}}
  template:
    metadata: {labels: {app: agent}}
    spec:
${POD}
`;

const CR = (name: string, data = '\ndata: {spec: {replicas: 1}}') => `apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: ${name}}${data}
revision: 2
`;

const PV = (name: string, accessModes = '\n  accessModes: [ReadWriteOnce]') => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: 5Gi}${accessModes}
  hostPath: {path: /srv/data}
`;

const PVC = (name: string, modes = '\n  accessModes: [ReadWriteOnce]') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:${modes}
  resources: {requests: {storage: 1Gi}}
`;

const PT = (name: string, image = 'nginx:1.27') => `apiVersion: v1
kind: PodTemplate
metadata: {name: ${name}}
template:
  metadata: {labels: {app: web}}
  spec:
    containers:
    - name: web
      image: "${image}"
`;

interface Case {
  kind: string;
  resource: string;
  manifest: string;
  namespaced: boolean;
  header: string[];
  defaults: (obj: Record<string, any>) => void;
  invalid: string;
  message: string;
}

const CASES: Case[] = [
  {
    kind: 'StatefulSet',
    resource: 'statefulsets.apps',
    manifest: STS('db'),
    namespaced: true,
    header: ['NAME', 'READY', 'AGE'],
    defaults(obj) {
      assert.equal(obj.spec.replicas, 1);
      assert.equal(obj.spec.podManagementPolicy, 'OrderedReady');
      assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      assert.equal(obj.spec.revisionHistoryLimit, 10);
      assert.deepEqual(obj.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
      assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
      assert.equal(obj.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
      assert.equal(obj.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
      assert.equal(obj.spec.volumeClaimTemplates[0].status.phase, 'Pending');
      assert.equal(obj.metadata.generation, 1);
    },
    invalid: STS('bad', 'other'),
    message:
      'The StatefulSet "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  },
  {
    kind: 'DaemonSet',
    resource: 'daemonsets.apps',
    manifest: DS('agent'),
    namespaced: true,
    header: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    defaults(obj) {
      assert.deepEqual(obj.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      assert.equal(obj.spec.revisionHistoryLimit, 10);
      assert.equal(obj.spec.template.spec.dnsPolicy, 'ClusterFirst');
      assert.equal(obj.metadata.annotations['deprecated.daemonset.template.generation'], '1');
    },
    invalid: DS('bad', 'other'),
    message:
      'The DaemonSet "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"agent"}: `selector` does not match template `labels`',
  },
  {
    kind: 'ControllerRevision',
    resource: 'controllerrevisions.apps',
    manifest: CR('db-1'),
    namespaced: true,
    header: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    defaults(obj) {
      assert.deepEqual(obj.data, { spec: { replicas: 1 } });
      assert.equal(obj.revision, 2);
    },
    invalid: CR('bad', ''),
    message: 'The ControllerRevision "bad" is invalid: data: Required value: data is mandatory',
  },
  {
    kind: 'PersistentVolume',
    resource: 'persistentvolumes',
    manifest: PV('pv-a'),
    namespaced: false,
    header: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
    defaults(obj) {
      assert.equal(obj.spec.persistentVolumeReclaimPolicy, 'Retain');
      assert.equal(obj.spec.volumeMode, 'Filesystem');
      assert.equal(obj.status.phase, 'Pending');
      assert.match(obj.status.lastPhaseTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    },
    invalid: PV('bad', ''),
    message: 'The PersistentVolume "bad" is invalid: spec.accessModes: Required value',
  },
  {
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    manifest: PVC('claim'),
    namespaced: true,
    header: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    defaults(obj) {
      assert.equal(obj.spec.volumeMode, 'Filesystem');
      assert.equal(obj.status.phase, 'Pending');
    },
    invalid: PVC('bad', ''),
    message: 'The PersistentVolumeClaim "bad" is invalid: spec.accessModes: Required value: at least 1 access mode is required',
  },
  {
    kind: 'PodTemplate',
    resource: 'podtemplates',
    manifest: PT('tmpl'),
    namespaced: true,
    header: ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'],
    defaults(obj) {
      assert.equal(obj.template.spec.restartPolicy, 'Always');
      assert.equal(obj.template.spec.terminationGracePeriodSeconds, 30);
      assert.equal(obj.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    },
    invalid: PT('bad', ''),
    message: 'The PodTemplate "bad" is invalid: template.spec.containers[0].image: Required value',
  },
];

describe('StatefulSet, DaemonSet, ControllerRevision, PersistentVolume, PersistentVolumeClaim, PodTemplate through kubectl', () => {
  let ts: TestServer;
  const k = async (args: string[], stdin?: string) => {
    const r = await runKubectl(MINOR, ts.server.kubeconfigPath, args, stdin);
    return r;
  };
  const ok = async (args: string[], stdin?: string) => {
    const r = await k(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    ts = await startTestServer();
  });
  after(async () => {
    await ts.stop();
  });

  for (const c of CASES) {
    it(`${c.kind}: create, get, list, patch, update, delete with upstream defaults`, async () => {
      const name = /name: ([a-z0-9-]+)/.exec(c.manifest)![1]!;
      assert.match(await ok(['create', '-f', '-'], c.manifest), new RegExp(`${c.resource.split('.')[0]!.replace(/s$/, '')}.*/${name} created`));
      const obj = JSON.parse(await ok(['get', c.resource, name, '-o', 'json']));
      assert.equal(obj.kind, c.kind);
      assert.equal(obj.metadata.namespace, c.namespaced ? 'default' : undefined);
      c.defaults(obj);
      const table = await ok(['get', c.resource]);
      const [header, row] = table.trim().split('\n');
      assert.deepEqual(header!.trim().split(/\s{2,}/), c.header);
      assert.ok(row!.startsWith(`${name} `), table);
      const list = JSON.parse(await ok(['get', c.resource, '-o', 'json']));
      assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), [name]);
      await ok(['patch', c.resource, name, '--type=merge', '-p', '{"metadata":{"labels":{"patched":"yes"}}}']);
      await ok(['label', c.resource, name, 'tier=backend']);
      const updated = JSON.parse(await ok(['get', c.resource, name, '-o', 'json']));
      assert.deepEqual(updated.metadata.labels, { patched: 'yes', tier: 'backend' });
      c.defaults(updated);
      await ok(['delete', c.resource, name]);
      const gone = await k(['get', c.resource, name]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /NotFound|not found/);
    });

    it(`${c.kind}: refused with upstream's message`, async () => {
      const r = await k(['create', '-f', '-'], c.invalid);
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes(c.message), r.stderr);
    });
  }

  it('StatefulSet: fields other than the mutable ones may not change; scale works', async () => {
    await ok(['create', '-f', '-'], STS('web'));
    await ok(['scale', 'statefulset', 'web', '--replicas=3']);
    assert.equal(JSON.parse(await ok(['get', 'sts', 'web', '-o', 'json'])).spec.replicas, 3);
    const r = await k(['patch', 'sts', 'web', '--type=merge', '-p', '{"spec":{"serviceName":"other"}}']);
    assert.notEqual(r.code, 0);
    assert.ok(
      r.stderr.includes(
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
      r.stderr,
    );
  });

  it('DaemonSet: a template change bumps the template generation; the selector is immutable', async () => {
    await ok(['create', '-f', '-'], DS('logs'));
    await ok(['set', 'image', 'ds/logs', 'web=nginx:1.28']);
    const obj = JSON.parse(await ok(['get', 'ds', 'logs', '-o', 'json']));
    assert.equal(obj.metadata.annotations['deprecated.daemonset.template.generation'], '2');
    assert.equal(obj.metadata.generation, 2);
    const r = await k(['patch', 'ds', 'logs', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"agent","x":"y"}}}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.selector: Invalid value: .*: field is immutable/);
  });

  it('short names and categories: pv, pvc, sts, ds; get all shows statefulsets and daemonsets', async () => {
    const resources = await ok(['api-resources', '--no-headers']);
    for (const [name, short] of [['persistentvolumes', 'pv'], ['persistentvolumeclaims', 'pvc'], ['statefulsets', 'sts'], ['daemonsets', 'ds']] as const) {
      assert.match(resources, new RegExp(`^${name}\\s+${short}\\s`, 'm'));
    }
    assert.match(resources, /^podtemplates\s+v1\s+true\s+PodTemplate$/m);
    assert.match(resources, /^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision$/m);
    const all = await ok(['get', 'all']);
    assert.match(all, /statefulset\.apps\/web/);
    assert.match(all, /daemonset\.apps\/logs/);
  });
});
