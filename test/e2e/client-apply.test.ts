/**
 * Acceptance: server-side apply from the client libraries, against one real server.
 * - Debian's python3-kubernetes 22.6.0: `DynamicClient.resources.get(...).server_side_apply`
 *   (YAML text body, `field_manager`, `force_conflicts=True` sent as `force=True`).
 * - `@kubernetes/client-node` 1.4.0: `KubernetesObjectApi.patch(..., fieldManager, force,
 *   PatchStrategy.ServerSideApply)` (a JSON body under the apply content type) and the typed
 *   CoreV1Api patch with the apply Content-Type.
 * Each creates through apply, updates through apply, and meets another manager's conflict as 409.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { api, startTestServer, type TestServer } from '../helpers/server.js';
import { assertManagedFields, entry } from '../helpers/managed-fields.js';

const NS = 'client-apply';
const PYTHON = '/usr/bin/python3';
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), 'python');
const APPLY = 'application/apply-patch+yaml';

function pythonClientMissing(): string | undefined {
  try {
    const v = execFileSync(PYTHON, ['-c', 'import kubernetes; print(kubernetes.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    return v === '22.6.0' ? undefined : `python3-kubernetes is ${v}, expected 22.6.0`;
  } catch (err) {
    return `python3-kubernetes not importable by ${PYTHON}: ${(err as Error).message.split('\n')[0]}`;
  }
}
const pythonMissing = pythonClientMissing();
if (pythonMissing && process.env.CI) throw new Error(`${pythonMissing} (required in CI: apt-get install python3-kubernetes)`);

let ts: TestServer;
let kc: KubeConfig;

before(async () => {
  ts = await startTestServer();
  kc = new KubeConfig();
  kc.loadFromFile(ts.server.kubeconfigPath);
  const r = await api(ts.server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  assert.equal(r.status, 201);
});
after(async () => {
  await ts?.stop();
});

function conflictStatus(manager: string, field: string): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Apply failed with 1 conflict: conflict with "${manager}": ${field}`,
    reason: 'Conflict',
    details: { causes: [{ reason: 'FieldManagerConflict', message: `conflict with "${manager}"`, field }] },
    code: 409,
  };
}

describe('apply over plain HTTP', () => {
  it('creates with 201 when absent, then 200; JSON bodies are YAML too', async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps/http-ssa?fieldManager=curl`;
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'http-ssa' }, data: { a: '1' } };
    const created = await api(ts.server, 'PATCH', path, body, { 'content-type': APPLY });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.metadata.namespace, NS);
    assert.deepEqual(created.body.data, { a: '1' });
    assertManagedFields(created.body, [entry('curl', 'Apply', 'v1', { 'f:data': { 'f:a': {} } })]);
    const again = await api(ts.server, 'PATCH', path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: http-ssa\ndata:\n  a: "2"\n', {
      'content-type': APPLY,
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body.data, { a: '2' });
    assert.equal(again.body.metadata.uid, created.body.metadata.uid);
  });
});

describe('resetting managedFields', () => {
  const path = `/api/v1/namespaces/${NS}/configmaps/reset`;
  const merge = (body: unknown, manager: string) =>
    api(ts.server, 'PATCH', `${path}?fieldManager=${manager}`, body, { 'content-type': 'application/merge-patch+json' });

  before(async () => {
    const r = await api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps?fieldManager=maker`, { metadata: { name: 'reset' }, data: { a: '1' } });
    assert.equal(r.status, 201);
  });

  it('managedFields: [] in a write that changes nothing else strips them all', async () => {
    const r = await merge({ metadata: { managedFields: [] } }, 'clearer');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.metadata.managedFields, undefined);
    assert.deepEqual(r.body.data, { a: '1' });
  });

  it('a write with [{}] and a change leaves only the writer, owning what it changed', async () => {
    const seeded = await merge({ data: { b: '2' } }, 'seeder');
    assertManagedFields(seeded.body, [entry('seeder', 'Update', 'v1', { 'f:data': { 'f:b': {} } })]);
    const r = await merge({ metadata: { managedFields: [{}] }, data: { c: '3' } }, 'clearer');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data, { a: '1', b: '2', c: '3' });
    assertManagedFields(r.body, [entry('clearer', 'Update', 'v1', { 'f:data': { 'f:c': {} } })]);
  });

  it('a write without managedFields keeps the stored ones', async () => {
    const r = await merge({ data: { d: '4' } }, 'later');
    assertManagedFields(r.body, [
      entry('clearer', 'Update', 'v1', { 'f:data': { 'f:c': {} } }),
      entry('later', 'Update', 'v1', { 'f:data': { 'f:d': {} } }),
    ]);
  });
});

describe('the manager of a write without fieldManager comes from the User-Agent', () => {
  const post = (name: string, ua: string) =>
    api(ts.server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name }, data: { a: '1' } }, { 'user-agent': ua });

  it('the product before the first slash names the manager', async () => {
    const r = await post('ua-plain', 'my-tool/1.2.3 (linux/amd64) extra/9');
    assert.equal(r.status, 201);
    assertManagedFields(r.body, [entry('my-tool', 'Update', 'v1', { 'f:data': { '.': {}, 'f:a': {} } })]);
  });

  it('unprintable characters (a tab) are dropped and the name is cut at 128 bytes', async () => {
    const r = await post('ua-long', `${'x'.repeat(100)}\t${'y'.repeat(100)}/1.0`);
    assert.equal(r.status, 201);
    assert.equal(r.body.metadata.managedFields[0].manager, `${'x'.repeat(100)}${'y'.repeat(28)}`);
  });
});

describe('python3-kubernetes 22.6.0 dynamic client server_side_apply', { skip: pythonMissing ? `SKIPPED: ${pythonMissing}` : false }, () => {
  it('creates, updates, conflicts with 409 and forces', async () => {
    const out: any = await new Promise((resolve, reject) => {
      execFile(
        PYTHON,
        [join(SCRIPTS, 'server_side_apply.py'), ts.server.kubeconfigPath, NS],
        { cwd: SCRIPTS, timeout: 30_000, env: { PATH: '/usr/bin:/bin', HOME: ts.dataDir, PYTHONDONTWRITEBYTECODE: '1' } },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`server_side_apply.py failed (${err.message}):\n${stderr}`));
          resolve(JSON.parse(stdout));
        },
      );
    });
    assert.deepEqual(out.created.data, { color: 'blue' });
    assertManagedFields({ metadata: out.created }, [entry('py', 'Apply', 'v1', { 'f:data': { 'f:color': {} } })]);
    assert.deepEqual(out.updated.data, { color: 'green', size: 'L' });
    assertManagedFields({ metadata: out.updated }, [entry('py', 'Apply', 'v1', { 'f:data': { 'f:color': {}, 'f:size': {} } })]);
    assert.deepEqual(out.conflict, { raised: true, status: 409, body: conflictStatus('py', '.data.color') });
    assert.deepEqual(out.forced.data, { color: 'red', size: 'L' });
    assertManagedFields({ metadata: out.forced }, [
      entry('py', 'Apply', 'v1', { 'f:data': { 'f:size': {} } }),
      entry('py-other', 'Apply', 'v1', { 'f:data': { 'f:color': {} } }),
    ]);
  });
});

describe('@kubernetes/client-node 1.4.0 apply', () => {
  const spec = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'node-ssa', namespace: NS }, data });

  async function expectApiError(fn: () => Promise<unknown>): Promise<{ code: number; body: any }> {
    try {
      await fn();
    } catch (err) {
      assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
      const body = (err as ApiException<unknown>).body;
      return { code: (err as ApiException<unknown>).code, body: typeof body === 'string' ? JSON.parse(body) : body };
    }
    assert.fail('expected the call to fail');
  }

  it('KubernetesObjectApi.patch with PatchStrategy.ServerSideApply creates, then updates', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const created = (await objects.patch(spec({ color: 'blue' }), undefined, undefined, 'node-client', undefined, PatchStrategy.ServerSideApply)) as V1ConfigMap;
    assert.deepEqual(created.data, { color: 'blue' });
    assert.equal(created.metadata?.managedFields?.length, 1);
    const e = created.metadata!.managedFields![0]!;
    assert.equal(e.manager, 'node-client');
    assert.equal(e.operation, 'Apply');
    assert.equal(e.apiVersion, 'v1');
    assert.equal(e.fieldsType, 'FieldsV1');
    assert.deepEqual(e.fieldsV1, { 'f:data': { 'f:color': {} } });
    assert.ok(e.time instanceof Date && !Number.isNaN(e.time.getTime()));
    const updated = (await objects.patch(spec({ color: 'green', size: 'L' }), undefined, undefined, 'node-client', undefined, PatchStrategy.ServerSideApply)) as V1ConfigMap;
    assert.deepEqual(updated.data, { color: 'green', size: 'L' });
    assert.equal(updated.metadata?.uid, created.metadata?.uid);
    assert.deepEqual(updated.metadata?.managedFields?.[0]?.fieldsV1, { 'f:data': { 'f:color': {}, 'f:size': {} } });
  });

  it('another manager changing a field gets a 409 ApiException carrying the Status', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const err = await expectApiError(() => objects.patch(spec({ color: 'red' }), undefined, undefined, 'node-other', false, PatchStrategy.ServerSideApply));
    assert.equal(err.code, 409);
    assert.deepEqual(err.body, conflictStatus('node-client', '.data.color'));
  });

  it('the typed CoreV1Api patch with the apply Content-Type and force takes the field over', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const forced = await core.patchNamespacedConfigMap(
      { name: 'node-ssa', namespace: NS, body: spec({ color: 'red' }), fieldManager: 'node-other', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    assert.deepEqual(forced.data, { color: 'red', size: 'L' });
    const got = await api(ts.server, 'GET', `/api/v1/namespaces/${NS}/configmaps/node-ssa`);
    assertManagedFields(got.body, [
      entry('node-client', 'Apply', 'v1', { 'f:data': { 'f:size': {} } }),
      entry('node-other', 'Apply', 'v1', { 'f:data': { 'f:color': {} } }),
    ]);
  });
});
