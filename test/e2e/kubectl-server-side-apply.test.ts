/**
 * Acceptance: server-side apply driven by real kubectl 1.33, checked against upstream's
 * behaviour: `apply --server-side` (fieldManager `kubectl`, force=false), conflicts between
 * two appliers (409 with upstream's message and FieldManagerConflict causes, and kubectl's
 * hint text), `--force-conflicts` moving ownership, fields an applier stops applying removed
 * unless someone else owns them, client-side apply idempotence, the client-side →
 * server-side migration kubectl performs (the server rewrites last-applied-configuration for
 * manager `kubectl`, kubectl hands the annotation to `kubectl-last-applied` and folds
 * `kubectl-client-side-apply`'s fields into `kubectl` with a JSON patch), and
 * `diff --server-side`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { runKubectl, type KubectlResult } from '../helpers/kubectl.js';
import { assertManagedFields, entry } from '../helpers/managed-fields.js';

const NS = 'ssa';
const APPLY = 'application/apply-patch+yaml';

let ts: TestServer;
let work: string;

function configMap(name: string, data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${v}`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${NS}\ndata:\n${lines.join('\n')}\n`;
}

let fileCount = 0;
function manifest(text: string): string {
  const file = join(work, `m${fileCount++}.yaml`);
  writeFileSync(file, text);
  return file;
}

function kubectl(args: string[]): Promise<KubectlResult> {
  return runKubectl(33, ts.server.kubeconfigPath, args);
}

async function ok(args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

async function get(name: string): Promise<any> {
  const r = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/configmaps/${name}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** `kubectl get --show-managed-fields -o json`: what a user sees. */
async function shown(name: string): Promise<any> {
  return JSON.parse(await ok(['get', 'configmap', name, '-n', NS, '--show-managed-fields', '-o', 'json']));
}

before(async () => {
  ts = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'ssa-'));
  await ok(['create', 'namespace', NS]);
});
after(async () => {
  await ts?.stop();
});

const KUBECTL_CONFLICT_HINT = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

describe('kubectl 1.33 apply --server-side: two managers', () => {
  it('creates the object, owned by manager kubectl with an Apply entry', async () => {
    const out = await ok(['apply', '--server-side', '-f', manifest(configMap('owned', { key: 'one', keep: 'k' }))]);
    assert.equal(out, 'configmap/owned serverside-applied\n');
    const cm = await get('owned');
    assert.deepEqual(cm.data, { key: 'one', keep: 'k' });
    assertManagedFields(cm, [entry('kubectl', 'Apply', 'v1', { 'f:data': { 'f:keep': {}, 'f:key': {} } })]);
    const seen = await shown('owned');
    assert.deepEqual(seen.metadata.managedFields, cm.metadata.managedFields);
    const hidden = JSON.parse(await ok(['get', 'configmap', 'owned', '-n', NS, '-o', 'json']));
    assert.equal(hidden.metadata.managedFields, undefined, 'kubectl hides managedFields unless asked');
  });

  it('a second manager changing the value conflicts: kubectl exits 1 with upstream message and hint', async () => {
    const r = await kubectl(['apply', '--server-side', '--field-manager=other', '-f', manifest(configMap('owned', { key: 'two' }))]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: Apply failed with 1 conflict: conflict with "kubectl": .data.key\n${KUBECTL_CONFLICT_HINT}`);
    assert.deepEqual((await get('owned')).data, { key: 'one', keep: 'k' });
  });

  it('the conflict through the API: 409 Conflict with FieldManagerConflict causes', async () => {
    const r = await api(ts.server, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/owned?fieldManager=other`, configMap('owned', { key: 'two' }), {
      'content-type': APPLY,
    });
    assert.equal(r.status, 409);
    assert.deepEqual(r.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .data.key',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.key' }] },
      code: 409,
    });
  });

  it('two conflicting fields: the plural message lists each path under its manager', async () => {
    const r = await api(
      ts.server,
      'PATCH',
      `/api/v1/namespaces/${NS}/configmaps/owned?fieldManager=other`,
      configMap('owned', { key: 'two', keep: 'changed' }),
      { 'content-type': APPLY },
    );
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'Conflict');
    assert.equal(r.body.message, 'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .data.keep\n- .data.key');
    assert.deepEqual(r.body.details, {
      causes: [
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.keep' },
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.data.key' },
      ],
    });
  });

  it('apply without fieldManager is 422, force on a non-apply patch is 422', async () => {
    const missing = await api(ts.server, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/owned`, configMap('owned', { key: 'two' }), {
      'content-type': APPLY,
    });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.reason, 'Invalid');
    assert.equal(missing.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    assert.deepEqual(missing.body.details, {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
    });
    const forced = await api(ts.server, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/owned?force=true`, { data: { key: 'two' } }, {
      'content-type': 'application/merge-patch+json',
    });
    assert.equal(forced.status, 422);
    assert.equal(forced.body.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('--dry-run=server reports the apply and stores nothing', async () => {
    const out = await ok(['apply', '--server-side', '--dry-run=server', '-f', manifest(configMap('owned', { key: 'one', keep: 'k', extra: 'e' }))]);
    assert.equal(out, 'configmap/owned serverside-applied (server dry run)\n');
    assert.deepEqual((await get('owned')).data, { key: 'one', keep: 'k' });
  });

  it('--force-conflicts moves .data.key to the second manager, visible in --show-managed-fields', async () => {
    const out = await ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', manifest(configMap('owned', { key: 'two' }))]);
    assert.equal(out, 'configmap/owned serverside-applied\n');
    const cm = await shown('owned');
    assert.deepEqual(cm.data, { key: 'two', keep: 'k' });
    assertManagedFields(cm, [
      entry('kubectl', 'Apply', 'v1', { 'f:data': { 'f:keep': {} } }),
      entry('other', 'Apply', 'v1', { 'f:data': { 'f:key': {} } }),
    ]);
  });

  it('co-owning a field at its current value does not conflict; a field only kubectl applied goes when dropped', async () => {
    const out = await ok(['apply', '--server-side', '-f', manifest(configMap('owned', { key: 'two', added: 'a' }))]);
    assert.equal(out, 'configmap/owned serverside-applied\n');
    const cm = await get('owned');
    assert.deepEqual(cm.data, { key: 'two', added: 'a' });
    assertManagedFields(cm, [
      entry('kubectl', 'Apply', 'v1', { 'f:data': { 'f:added': {}, 'f:key': {} } }),
      entry('other', 'Apply', 'v1', { 'f:data': { 'f:key': {} } }),
    ]);
  });

  it('a dropped field another manager still applies stays', async () => {
    await ok(['apply', '--server-side', '-f', manifest(configMap('owned', { added: 'a' }))]);
    const cm = await get('owned');
    assert.deepEqual(cm.data, { key: 'two', added: 'a' });
    assertManagedFields(cm, [
      entry('kubectl', 'Apply', 'v1', { 'f:data': { 'f:added': {} } }),
      entry('other', 'Apply', 'v1', { 'f:data': { 'f:key': {} } }),
    ]);
  });
});

describe('kubectl 1.33 client-side apply, then the migration to server-side apply', () => {
  const CSA_FIELDS = {
    'f:data': { '.': {}, 'f:key': {}, 'f:other': {} },
    'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
  };
  let file: string;

  it('apply creates with manager kubectl-client-side-apply (an Update)', async () => {
    file = manifest(configMap('csa', { key: 'one', other: 'x' }));
    assert.equal(await ok(['apply', '-f', file]), 'configmap/csa created\n');
    const cm = await get('csa');
    assert.equal(
      cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
      `{"apiVersion":"v1","data":{"key":"one","other":"x"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"csa","namespace":"${NS}"}}\n`,
    );
    assertManagedFields(cm, [entry('kubectl-client-side-apply', 'Update', 'v1', CSA_FIELDS)]);
  });

  it('apply again says unchanged and writes nothing', async () => {
    const before = await get('csa');
    assert.equal(await ok(['apply', '-f', file]), 'configmap/csa unchanged\n');
    const again = await get('csa');
    assert.equal(again.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(again.metadata.managedFields, before.metadata.managedFields);
  });

  it('apply --server-side of the same manifest keeps every field and leaves one owner per field', async () => {
    assert.equal(await ok(['apply', '--server-side', '-f', file]), 'configmap/csa serverside-applied\n');
    const cm = await shown('csa');
    assert.deepEqual(cm.data, { key: 'one', other: 'x' });
    // The server keeps the annotation in step with what manager `kubectl` applied.
    assert.deepEqual(cm.metadata.annotations, {
      'kubectl.kubernetes.io/last-applied-configuration': `{"apiVersion":"v1","data":{"key":"one","other":"x"},"kind":"ConfigMap","metadata":{"name":"csa","namespace":"${NS}"}}\n`,
    });
    // Both applies changed no value (the server rewrites the annotation after the merge), so
    // upstream sets no time on either new Apply entry, and kubectl's JSON patch keeps it so.
    assertManagedFields(
      cm,
      [
        entry('kubectl', 'Apply', 'v1', { 'f:data': { 'f:key': {}, 'f:other': {} } }),
        entry('kubectl-last-applied', 'Apply', 'v1', {
          'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } },
        }),
      ],
      ['kubectl', 'kubectl-last-applied'],
    );
  });

  it('diff --server-side: exit 0 and no output when nothing would change', async () => {
    const r = await kubectl(['diff', '--server-side', '-f', file]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '');
    assert.equal(r.code, 0);
  });

  it('diff --server-side: exit 1 with the change as a unified diff, nothing stored', async () => {
    const before = await get('csa');
    const r = await kubectl(['diff', '--server-side', '-f', manifest(configMap('csa', { key: 'changed', other: 'x' }))]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('-  key: one'), r.stdout);
    assert.ok(lines.includes('+  key: changed'), r.stdout);
    assert.ok(!r.stdout.includes('managedFields'), 'diff hides managedFields');
    const after = await get('csa');
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(after.data, { key: 'one', other: 'x' });
  });
});

describe('kubectl 1.33 apply --server-side of a Deployment: associative lists and atomic structs', () => {
  const deployment = (containers: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
${containers}`;
  const WEB = '      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n';
  const SIDECAR = '      - name: sidecar\n        image: busybox:1.36\n';
  const PATH = `/apis/apps/v1/namespaces/${NS}/deployments/web`;
  const webFields = {
    '.': {},
    'f:image': {},
    'f:name': {},
    // protocol is a list-map key with a default, so the key names it though the manifest does not.
    'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
  };
  const sidecarFields = { '.': {}, 'f:image': {}, 'f:name': {} };
  const applied = (containers: Record<string, unknown>) =>
    entry('kubectl', 'Apply', 'apps/v1', {
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': containers } },
      },
    });

  it('containers are keyed by name, ports by containerPort and protocol, the selector is one atomic field', async () => {
    assert.equal(await ok(['apply', '--server-side', '-f', manifest(deployment(WEB + SIDECAR))]), 'deployment.apps/web serverside-applied\n');
    const r = await api(ts.server, 'GET', PATH);
    assert.deepEqual(
      r.body.spec.template.spec.containers.map((c: any) => c.name),
      ['web', 'sidecar'],
    );
    assertManagedFields(r.body, [applied({ 'k:{"name":"web"}': webFields, 'k:{"name":"sidecar"}': sidecarFields })]);
    // The raw encoding keeps upstream's order: "." first, then fields by name, then keyed
    // items by their key values; a key is its fields' JSON, sorted by field name.
    assert.equal(
      JSON.stringify(r.body.metadata.managedFields[0].fieldsV1),
      '{"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":' +
        '{"k:{\\"name\\":\\"sidecar\\"}":{".":{},"f:image":{},"f:name":{}},' +
        '"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":8080,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}',
    );
  });

  it('a container the applier stops applying leaves the list, defaulted fields and all', async () => {
    await ok(['apply', '--server-side', '-f', manifest(deployment(SIDECAR))]);
    const r = await api(ts.server, 'GET', PATH);
    assert.deepEqual(
      r.body.spec.template.spec.containers.map((c: any) => c.name),
      ['sidecar'],
    );
    assert.equal(r.body.spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    assertManagedFields(r.body, [applied({ 'k:{"name":"sidecar"}': sidecarFields })]);
  });
});
