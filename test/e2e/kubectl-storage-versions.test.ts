/**
 * The alpha storage-version kinds through kubectl 1.33, against a server started with
 * `--runtime-config storagemigration.k8s.io/v1alpha1=true,internal.apiserver.k8s.io/v1alpha1=true`:
 * storagemigration.k8s.io/v1alpha1 StorageVersionMigration and internal.apiserver.k8s.io/v1alpha1
 * StorageVersion (both with `/status`). Off by default; discovery rows, CRUD, status reset on
 * create and `/status` writing only status, upstream's validation messages and printer columns,
 * and the migrator rewriting a resource's stored objects in the current encoding before it marks
 * the migration Succeeded; on etcd, after a restart from JSON storage to protobuf, the way an
 * operator changes --storage-media-type.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { builtinDefinitions } from '../../src/registry/definitions.js';
import { servedResources } from '../../src/server/runtime-config.js';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const RUNTIME_CONFIG = 'storagemigration.k8s.io/v1alpha1=true,internal.apiserver.k8s.io/v1alpha1=true';
const SVM = 'storagemigration.k8s.io/v1alpha1';
const SV = 'internal.apiserver.k8s.io/v1alpha1';

let ts: TestServer;
const k = (args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(args: string[], stdin?: string): Promise<string> {
  const res = await k(args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

async function getJson(args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await ok(['get', ...args, '-o', 'json'])) as Record<string, any>;
}

async function refused(args: string[], stdin: string | undefined, message: string): Promise<void> {
  const res = await k(args, stdin);
  assert.notEqual(res.code, 0, res.stdout);
  assert.ok(res.stderr.includes(message), res.stderr);
}

const migration = (name: string, resource: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: SVM, kind: 'StorageVersionMigration', metadata: { name }, spec: { resource }, ...extra });
const storageVersion = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: SV, kind: 'StorageVersion', metadata: { name }, spec: {}, ...extra });

/** The migration once the migrator has given it a final condition. */
async function finished(name: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const svm = await getJson(['storageversionmigration', name]);
    const conditions = (svm.status?.conditions ?? []) as { type: string; status: string }[];
    if (conditions.some((c) => (c.type === 'Succeeded' || c.type === 'Failed') && c.status === 'True')) return svm;
    assert.ok(Date.now() < deadline, `migration ${name} did not finish: ${JSON.stringify(svm.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  ts = await startTestServer({ runtimeConfig: RUNTIME_CONFIG });
});
after(async () => {
  await ts.stop();
});

describe('storage version kinds through kubectl 1.33', () => {
  it('are alphas: off by default, served only when --runtime-config names them', () => {
    const served = (config: string) => servedResources(builtinDefinitions, config).map((s) => `${s.group}/${s.version}/${s.resource}`);
    const ours = ['storagemigration.k8s.io/v1alpha1/storageversionmigrations', 'internal.apiserver.k8s.io/v1alpha1/storageversions'];
    assert.deepEqual(served('').filter((r) => ours.includes(r)), []);
    assert.deepEqual(served(RUNTIME_CONFIG).filter((r) => ours.includes(r)), ours);
    assert.deepEqual(served('api/alpha=true').filter((r) => ours.includes(r)), ours);
  });

  it('discovery lists them as upstream: cluster-scoped, no short names, every verb', async () => {
    for (const [group, row] of [
      ['storagemigration.k8s.io', 'storageversionmigrations storagemigration.k8s.io/v1alpha1 false StorageVersionMigration create,delete,deletecollection,get,list,patch,update,watch'],
      ['internal.apiserver.k8s.io', 'storageversions internal.apiserver.k8s.io/v1alpha1 false StorageVersion create,delete,deletecollection,get,list,patch,update,watch'],
    ] as const) {
      const out = await ok(['api-resources', `--api-group=${group}`, '--no-headers', '-o', 'wide']);
      assert.deepEqual(out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')), [row]);
    }
    const versions = await ok(['api-versions']);
    assert.ok(versions.split('\n').includes(SVM), versions);
    assert.ok(versions.split('\n').includes(SV), versions);
  });

  it('StorageVersionMigration: status cleared on create, the resource printed as RESOURCE.VERSION.GROUP, no AGE', async () => {
    const status = { conditions: [{ type: 'Succeeded', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z', reason: 'Done' }], resourceVersion: '7' };
    // A resource the server does not serve: the migrator fails the migration.
    await ok(['create', '-f', '-'], JSON.stringify(migration('widgets', { group: 'example.com', version: 'v1', resource: 'widgets' }, { status })));
    const created = await getJson(['storageversionmigration', 'widgets']);
    assert.deepEqual(created.spec, { resource: { group: 'example.com', version: 'v1', resource: 'widgets' } });
    assert.notEqual(created.status?.resourceVersion, '7');

    const table = (await ok(['get', 'storageversionmigrations'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+RESOURCE$/);
    assert.match(table.find((l) => l.startsWith('widgets '))!, /^widgets\s+widgets\.v1\.example\.com$/);

    const failed = await finished('widgets');
    const condition = (failed.status.conditions as Record<string, string>[]).find((c) => c.type === 'Failed')!;
    assert.equal(condition.status, 'True');
    assert.equal(condition.reason, 'StorageVersionMigrationFailed');
    assert.match(condition.message!, /^migration encountered unhandled error: /);

    await refused(['create', '-f', '-'], JSON.stringify(migration('bad', { group: 'apps', version: 'v1' })),
      'The StorageVersionMigration "bad" is invalid: spec.resource.resource: Required value: resource is required');
    await refused(['patch', 'storageversionmigration', 'widgets', '--type=merge', '-p', JSON.stringify({ spec: { resource: { resource: 'gadgets' } } })], undefined,
      'The StorageVersionMigration "widgets" is invalid: resource: Invalid value: "gadgets": field is immutable');
  });

  it('StorageVersionMigration /status: conditions as upstream rules them, the spec untouched', async () => {
    await ok(['create', '-f', '-'], JSON.stringify(migration('manual', { group: 'example.com', version: 'v1', resource: 'gadgets' })));
    await finished('manual');
    const both = { status: { conditions: [{ type: 'Succeeded', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z', reason: 'Done' }] } };
    // Dropping the true Failed condition is refused, and a status write cannot carry the spec along.
    await refused(['patch', 'storageversionmigration', 'manual', '--subresource=status', '--type=merge', '-p', JSON.stringify(both)], undefined,
      'Failed condition cannot be set to false once it is true');
    const unknown = { status: { conditions: [{ type: 'Failed', status: 'Maybe', reason: 'x y' }] } };
    const res = await k(['patch', 'storageversionmigration', 'manual', '--subresource=status', '--type=merge', '-p', JSON.stringify(unknown)]);
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'), res.stderr);
    assert.ok(res.stderr.includes('status.conditions[0].lastTransitionTime: Required value'), res.stderr);
    assert.ok(res.stderr.includes('status.conditions[0].reason: Invalid value: "x y": a condition reason must start with alphabetic character'), res.stderr);
    const spec = { spec: { resource: { group: 'apps', version: 'v1', resource: 'deployments' } }, metadata: { labels: { via: 'status' } } };
    await ok(['patch', 'storageversionmigration', 'manual', '--subresource=status', '--type=merge', '-p', JSON.stringify(spec)]);
    const after = await getJson(['storageversionmigration', 'manual']);
    assert.deepEqual(after.spec.resource, { group: 'example.com', version: 'v1', resource: 'gadgets' });
    assert.equal(after.metadata.labels, undefined);
  });

  it('the migrator rewrites stored objects in the current encoding, leaves current ones alone, then marks Succeeded', async () => {
    const backend = ts.server.backend;
    const key = '/registry/configmaps/default/legacy';
    // A ConfigMap as JSON storage holds it (the server writes protobuf): the encoding a migration replaces.
    const legacy = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'legacy', namespace: 'default', uid: '0b5d1f0e-0000-4000-8000-000000000001', creationTimestamp: '2024-01-01T00:00:00Z' }, data: { color: 'blue' } };
    await backend.create(key, new TextEncoder().encode(`${JSON.stringify(legacy)}\n`));
    await ok(['create', 'configmap', 'current', '--from-literal=color=green']);
    const currentBefore = (await backend.get('/registry/configmaps/default/current')).kv!;
    const legacyBefore = (await backend.get(key)).kv!;
    assert.equal(Buffer.from(legacyBefore.value).subarray(0, 1).toString(), '{');

    await ok(['create', '-f', '-'], JSON.stringify(migration('configmaps', { group: '', version: 'v1', resource: 'configmaps' })));
    const done = await finished('configmaps');
    const byType = Object.fromEntries((done.status.conditions as Record<string, string>[]).map((c) => [c.type, c]));
    assert.equal(byType.Succeeded?.status, 'True');
    assert.equal(byType.Succeeded?.reason, 'StorageVersionMigrationSucceeded');
    assert.equal(byType.Running?.status, 'False');
    assert.equal(byType.Running?.reason, 'StorageVersionMigrationInProgress');
    assert.match(done.status.resourceVersion, /^\d+$/);
    assert.ok(Number(done.status.resourceVersion) >= currentBefore.modRevision);
    const withFields = await getJson(['storageversionmigration', 'configmaps', '--show-managed-fields']);
    const managers = (withFields.metadata.managedFields as { manager: string; subresource?: string }[]).filter((m) => m.subresource === 'status').map((m) => m.manager);
    assert.deepEqual(managers, ['storage-version-migrator-controller']);

    const legacyAfter = (await backend.get(key)).kv!;
    assert.equal(Buffer.from(legacyAfter.value).subarray(0, 4).toString('latin1'), 'k8s\0');
    assert.ok(legacyAfter.modRevision > legacyBefore.modRevision);
    // Already in the current encoding: not written.
    assert.equal((await backend.get('/registry/configmaps/default/current')).kv!.modRevision, currentBefore.modRevision);
    const read = await getJson(['configmap', 'legacy']);
    assert.deepEqual(read.data, { color: 'blue' });
    assert.equal(read.metadata.uid, legacy.metadata.uid);
    assert.equal(read.metadata.resourceVersion, String(legacyAfter.modRevision));
  });

  it('StorageVersion: named <group>.<resource>, status only through /status, columns as upstream', async () => {
    const reported = { storageVersions: [{ apiServerID: 'server-1', encodingVersion: 'apps/v1', decodableVersions: ['apps/v1'] }], commonEncodingVersion: 'apps/v1' };
    await ok(['create', '-f', '-'], JSON.stringify(storageVersion('apps.deployments', { status: reported })));
    const created = await getJson(['storageversion', 'apps.deployments']);
    assert.deepEqual(created.spec, {});
    assert.deepEqual(created.status, {});
    let table = (await ok(['get', 'storageversions'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+COMMONENCODINGVERSION\s+STORAGEVERSIONS\s+AGE$/);
    assert.match(table.find((l) => l.startsWith('apps.deployments '))!, /^apps\.deployments\s+<unset>\s+<unset>\s+\S+$/);

    await ok(['patch', 'storageversion', 'apps.deployments', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: reported })]);
    table = (await ok(['get', 'storageversion', 'apps.deployments'])).trimEnd().split('\n');
    assert.match(table[1]!, /^apps\.deployments\s+apps\/v1\s+server-1=apps\/v1\s+\S+$/);
    // A main-resource write keeps the reported status.
    await ok(['patch', 'storageversion', 'apps.deployments', '--type=merge', '-p', JSON.stringify({ metadata: { labels: { a: 'b' } }, status: { commonEncodingVersion: 'apps/v2' } })]);
    assert.equal((await getJson(['storageversion', 'apps.deployments'])).status.commonEncodingVersion, 'apps/v1');

    await refused(['create', '-f', '-'], JSON.stringify(storageVersion('deployments')),
      'The StorageVersion "deployments" is invalid: metadata.name: Invalid value: "deployments": name must be in the form of <group>.<resource>');
    const wrongCommon = { status: { ...reported, commonEncodingVersion: 'apps/v2' } };
    await refused(['patch', 'storageversion', 'apps.deployments', '--subresource=status', '--type=merge', '-p', JSON.stringify(wrongCommon)], undefined,
      'The StorageVersion "apps.deployments" is invalid: status.commonEncodingVersion: Invalid value: "apps/v2": the actual common encoding version is apps/v1');
    const undecodable = { status: { storageVersions: [{ apiServerID: 'server-1', encodingVersion: 'apps/v1', decodableVersions: ['apps/v2'] }], commonEncodingVersion: 'apps/v1' } };
    await refused(['patch', 'storageversion', 'apps.deployments', '--subresource=status', '--type=merge', '-p', JSON.stringify(undecodable)], undefined,
      'status.storageVersions[0].decodableVersions: Invalid value: []string{"apps/v2"}: decodableVersions must include encodingVersion apps/v1');
    const disagree = { status: { storageVersions: [reported.storageVersions[0], { apiServerID: 'server-2', encodingVersion: 'apps/v2', decodableVersions: ['apps/v1', 'apps/v2'] }], commonEncodingVersion: 'apps/v1' } };
    await refused(['patch', 'storageversion', 'apps.deployments', '--subresource=status', '--type=merge', '-p', JSON.stringify(disagree)], undefined,
      'status.commonEncodingVersion: Invalid value: "apps/v1": should be nil if servers do not agree on the same encoding version, or if there is no server reporting the supported versions yet');
    const noReason = { status: { conditions: [{ type: 'AllEncodingVersionsEqual', status: 'True' }] } };
    const res = await k(['patch', 'storageversion', 'apps.deployments', '--subresource=status', '--type=merge', '-p', JSON.stringify(noReason)]);
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('status[0].reason: Required value: reason cannot be empty'), res.stderr);
    assert.ok(res.stderr.includes('status[0].message: Required value: message cannot be empty'), res.stderr);

    await ok(['delete', 'storageversion', 'apps.deployments']);
    const gone = await k(['get', 'storageversion', 'apps.deployments']);
    assert.ok(gone.stderr.includes('storageversions.internal.apiserver.k8s.io "apps.deployments" not found'), gone.stderr);
  });
});

describe('storage version migration on etcd, after --storage-media-type changes', () => {
  let etcd: EtcdInstance;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('rewrites the JSON values a previous run wrote as protobuf; later writes are left alone', async () => {
    const first = await startTestServer({ etcdServers: [etcd.endpoint], storageMediaType: 'application/json' });
    const dataDir = first.dataDir;
    try {
      for (const name of ['one', 'two']) await ok2(first, ['create', 'configmap', name, `--from-literal=name=${name}`]);
    } finally {
      await first.server.close();
    }
    const second = await startTestServer({ etcdServers: [etcd.endpoint], runtimeConfig: RUNTIME_CONFIG, dataDir });
    try {
      const backend = second.server.backend;
      const value = async (name: string) => (await backend.get(`/registry/configmaps/default/${name}`)).kv!;
      for (const name of ['one', 'two']) assert.equal(Buffer.from((await value(name)).value).subarray(0, 1).toString(), '{');
      await ok2(second, ['create', '-f', '-'], JSON.stringify(migration('configmaps', { group: '', version: 'v1', resource: 'configmaps' })));
      const deadline = Date.now() + 20_000;
      for (;;) {
        const svm = JSON.parse(await ok2(second, ['get', 'storageversionmigration', 'configmaps', '-o', 'json'])) as Record<string, any>;
        if ((svm.status?.conditions ?? []).some((c: Record<string, string>) => c.type === 'Succeeded' && c.status === 'True')) break;
        assert.ok(Date.now() < deadline, JSON.stringify(svm.status));
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const name of ['one', 'two']) {
        const kv = await value(name);
        assert.equal(Buffer.from(kv.value).subarray(0, 4).toString('latin1'), 'k8s\0', name);
        const read = JSON.parse(await ok2(second, ['get', 'configmap', name, '-o', 'json'])) as Record<string, any>;
        assert.deepEqual(read.data, { name });
        assert.equal(read.metadata.resourceVersion, String(kv.modRevision));
      }
    } finally {
      await second.server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function ok2(t: TestServer, args: string[], stdin?: string): Promise<string> {
  const res = await runKubectl(33, t.server.kubeconfigPath, args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}
