/**
 * Acceptance: the managedFields kube-apiserver records for each imperative kubectl 1.33
 * command. kubectl sends `fieldManager=kubectl-<command>` on create, label, annotate, patch,
 * replace and edit; `scale` sends none (a merge patch to /scale), so the server names the
 * manager after the User-Agent's product, here `kubectl.1.33` (the binary's name). Every
 * write is an Update; a manager whose fields another Update takes over loses them, and an
 * entry left with no fields disappears. Expected fieldsV1 are upstream's, written out: maps
 * a write created carry `.`, structs every empty object already has (spec, strategy,
 * template) do not, atomic structs (selector) are one leaf, list items are `k:{...}`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { kubectl, runKubectl } from '../helpers/kubectl.js';
import { assertManagedFields, entry } from '../helpers/managed-fields.js';

const NS = 'managed-fields';
const CM = `/api/v1/namespaces/${NS}/configmaps/mf`;
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments/web`;

let ts: TestServer;
let work: string;

async function k(args: string[], env?: Record<string, string>): Promise<string> {
  const r = await kubectl(33, ts.server.kubeconfigPath, ['-n', NS, ...args], env ? { env } : {}).result;
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

async function get(path: string): Promise<any> {
  const r = await api(ts.server, 'GET', path);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  ts = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'managed-fields-'));
  const r = await runKubectl(33, ts.server.kubeconfigPath, ['create', 'namespace', NS]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await ts?.stop();
});

describe('managedFields after each kubectl 1.33 command (ConfigMap)', () => {
  const created = entry('kubectl-create', 'Update', 'v1', { 'f:data': { '.': {}, 'f:a': {} } });
  const labelled = entry('kubectl-label', 'Update', 'v1', { 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
  const annotated = entry('kubectl-annotate', 'Update', 'v1', { 'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } } });

  it('create records kubectl-create owning the data it created', async () => {
    assert.equal(await k(['create', 'configmap', 'mf', '--from-literal=a=1']), 'configmap/mf created\n');
    assertManagedFields(await get(CM), [created]);
  });

  it('label adds a kubectl-label entry for the new labels map', async () => {
    assert.equal(await k(['label', 'configmap', 'mf', 'x=y']), 'configmap/mf labeled\n');
    assertManagedFields(await get(CM), [created, labelled]);
  });

  it('annotate adds a kubectl-annotate entry', async () => {
    assert.equal(await k(['annotate', 'configmap', 'mf', 'note=hello']), 'configmap/mf annotated\n');
    assertManagedFields(await get(CM), [created, labelled, annotated]);
  });

  it('patch adds kubectl-patch owning only the key it added (data already existed)', async () => {
    assert.equal(await k(['patch', 'configmap', 'mf', '-p', '{"data":{"b":"2"}}']), 'configmap/mf patched\n');
    const cm = await get(CM);
    assert.deepEqual(cm.data, { a: '1', b: '2' });
    assertManagedFields(cm, [created, labelled, annotated, entry('kubectl-patch', 'Update', 'v1', { 'f:data': { 'f:b': {} } })]);
  });

  it('replace takes data.b from kubectl-patch, whose emptied entry goes away', async () => {
    const current = await get(CM);
    delete current.metadata.managedFields;
    current.data.b = '3';
    const file = join(work, 'replace.json');
    writeFileSync(file, JSON.stringify(current));
    assert.equal(await k(['replace', '-f', file]), 'configmap/mf replaced\n');
    const cm = await get(CM);
    assert.deepEqual(cm.data, { a: '1', b: '3' });
    assertManagedFields(cm, [created, labelled, annotated, entry('kubectl-replace', 'Update', 'v1', { 'f:data': { 'f:b': {} } })]);
  });

  it('edit takes data.a from kubectl-create, which keeps only the data map itself (a leaf: no children left)', async () => {
    const editor = join(work, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  a: "1"$/  a: "9"/' "$1"\n`);
    chmodSync(editor, 0o755);
    assert.equal(await k(['edit', 'configmap', 'mf'], { KUBE_EDITOR: editor }), 'configmap/mf edited\n');
    const cm = await get(CM);
    assert.deepEqual(cm.data, { a: '9', b: '3' });
    assertManagedFields(cm, [
      entry('kubectl-create', 'Update', 'v1', { 'f:data': {} }),
      labelled,
      annotated,
      entry('kubectl-replace', 'Update', 'v1', { 'f:data': { 'f:b': {} } }),
      entry('kubectl-edit', 'Update', 'v1', { 'f:data': { 'f:a': {} } }),
    ]);
  });
});

describe('managedFields after kubectl 1.33 create secret', () => {
  it('kubectl-create owns the data and the type (set or defaulted before fields are tracked)', async () => {
    assert.equal(await k(['create', 'secret', 'generic', 'creds', '--from-literal=token=t0k3n']), 'secret/creds created\n');
    const s = await get(`/api/v1/namespaces/${NS}/secrets/creds`);
    assert.equal(s.type, 'Opaque');
    assertManagedFields(s, [entry('kubectl-create', 'Update', 'v1', { 'f:data': { '.': {}, 'f:token': {} }, 'f:type': {} })]);
  });
});

/** What a create owns of an `nginx` container: what it set plus the decode-time defaults. */
const NGINX_CONTAINER = {
  '.': {},
  'f:image': {},
  'f:imagePullPolicy': {},
  'f:name': {},
  'f:resources': {},
  'f:terminationMessagePath': {},
  'f:terminationMessagePolicy': {},
};

describe('managedFields after kubectl 1.33 create deployment and scale', () => {
  const spec = (withReplicas: boolean): Record<string, unknown> => ({
    'f:progressDeadlineSeconds': {},
    ...(withReplicas ? { 'f:replicas': {} } : {}),
    'f:revisionHistoryLimit': {},
    'f:selector': {},
    'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': NGINX_CONTAINER,
        },
        'f:dnsPolicy': {},
        'f:restartPolicy': {},
        'f:schedulerName': {},
        'f:securityContext': {},
        'f:terminationGracePeriodSeconds': {},
      },
    },
  });
  const createdBy = (withReplicas: boolean) =>
    entry('kubectl-create', 'Update', 'apps/v1', { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': spec(withReplicas) });

  it('create deployment: kubectl-create owns every field the create set, defaults included', async () => {
    assert.equal(await k(['create', 'deployment', 'web', '--image=nginx']), 'deployment.apps/web created\n');
    assertManagedFields(await get(DEPLOY), [createdBy(true)]);
  });

  it('scale: the User-Agent manager owns spec.replicas through the scale subresource, in apps/v1', async () => {
    assert.equal(await k(['scale', 'deployment', 'web', '--replicas=3']), 'deployment.apps/web scaled\n');
    const d = await get(DEPLOY);
    assert.equal(d.spec.replicas, 3);
    // Upstream's scale handler takes the time from the parent's entries, which do not know a
    // manager new through /scale: its entry has none.
    assertManagedFields(
      d,
      [createdBy(false), entry('kubectl.1.33', 'Update', 'apps/v1', { 'f:spec': { 'f:replicas': {} } }, 'scale')],
      ['kubectl.1.33'],
    );
    const scale = await get(`${DEPLOY}/scale`);
    assert.equal(scale.spec.replicas, 3);
  });

  it('run: kubectl-run owns the pod fields it set and the decode-time defaults, not what admission adds', async () => {
    assert.equal(await k(['run', 'nginx', '--image=nginx']), 'pod/nginx created\n');
    const pod = await get(`/api/v1/namespaces/${NS}/pods/nginx`);
    // Admission (service account, priority, tolerations) runs after the field manager, as upstream.
    assert.equal(pod.spec.serviceAccountName, 'default');
    assertManagedFields(pod, [
      entry('kubectl-run', 'Update', 'v1', {
        'f:metadata': { 'f:labels': { '.': {}, 'f:run': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': NGINX_CONTAINER,
          },
          'f:dnsPolicy': {},
          'f:enableServiceLinks': {},
          'f:restartPolicy': {},
          'f:schedulerName': {},
          'f:securityContext': {},
          'f:terminationGracePeriodSeconds': {},
        },
      }),
    ]);
  });
});
