/**
 * storage.k8s.io/v1alpha1 VolumeAttributesClass through kubectl 1.33: alpha, so off until
 * --runtime-config turns it on; stored as v1beta1 whether or not v1beta1 is served, so an
 * object written through the alpha lands in storage as v1beta1 (read back with etcdctl).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { execFileSync } from 'node:child_process';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';

const GV = 'storage.k8s.io/v1alpha1';
const RESOURCE = 'volumeattributesclasses.v1alpha1.storage.k8s.io';
let off: TestServer;
let alpha: TestServer;
const k = (ts: TestServer, args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(ts: TestServer, args: string[], stdin?: string): Promise<string> {
  const res = await k(ts, args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

const vac = (name: string, fields: Record<string, unknown>) => ({ apiVersion: GV, kind: 'VolumeAttributesClass', metadata: { name }, ...fields });

before(async () => {
  [off, alpha] = await Promise.all([startTestServer(), startTestServer({ runtimeConfig: `${GV}=true` })]);
});
after(async () => {
  await Promise.all([off?.stop(), alpha?.stop()]);
});

describe('storage.k8s.io/v1alpha1 VolumeAttributesClass through kubectl 1.33', () => {
  it('is served only when --runtime-config turns the alpha on (and then without v1beta1)', async () => {
    const offVersions = (await ok(off, ['api-versions'])).split('\n');
    assert.ok(!offVersions.includes(GV) && !offVersions.includes('storage.k8s.io/v1beta1'));
    const versions = (await ok(alpha, ['api-versions'])).split('\n');
    assert.ok(versions.includes(GV), versions.join(' '));
    assert.ok(!versions.includes('storage.k8s.io/v1beta1'));
    const raw = JSON.parse(await ok(alpha, ['get', '--raw', `/apis/${GV}`])) as { resources: Array<{ name: string; shortNames?: string[] }> };
    assert.deepEqual(raw.resources.map((r) => [r.name, r.shortNames]), [['volumeattributesclasses', ['vac']]]);
  });

  it('CRUD through the alpha: NAME DRIVERNAME AGE, fixed driver and parameters', async () => {
    await ok(alpha, ['create', '-f', '-'], JSON.stringify(vac('silver', { driverName: 'ebs.csi.aws.com', parameters: { iops: '3000' } })));
    const got = JSON.parse(await ok(alpha, ['get', 'vac', 'silver', '-o', 'json']));
    assert.equal(got.apiVersion, GV);
    assert.deepEqual([got.driverName, got.parameters], ['ebs.csi.aws.com', { iops: '3000' }]);
    const table = (await ok(alpha, ['get', 'vac'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+DRIVERNAME\s+AGE$/);
    assert.match(table[1]!, /^silver\s+ebs\.csi\.aws\.com\s+\S+$/);
    await ok(alpha, ['label', RESOURCE, 'silver', 'tier=silver']);
    const changed = await k(alpha, ['patch', RESOURCE, 'silver', '--type=merge', '-p', '{"parameters":{"iops":"9000"}}']);
    assert.notEqual(changed.code, 0);
    assert.ok(changed.stderr.includes('The VolumeAttributesClass "silver" is invalid: parameters: Forbidden: updates to parameters are forbidden.'), changed.stderr);
    await ok(alpha, ['delete', RESOURCE, 'silver']);
    assert.match((await k(alpha, ['get', RESOURCE, 'silver'])).stderr, /not found/);
  });

  it("upstream's message for a class without parameters", async () => {
    const res = await k(alpha, ['create', '-f', '-'], JSON.stringify(vac('bad', { driverName: 'ebs.csi.aws.com' })));
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('The VolumeAttributesClass "bad" is invalid: parameters: Required value: must contain at least one key/value pair'), res.stderr);
  });
});

describe('the storage version stays v1beta1', () => {
  let etcd: EtcdInstance;
  let ts: TestServer;
  before(async () => {
    etcd = await startEtcd();
    ts = await startTestServer({ etcdServers: [etcd.endpoint], runtimeConfig: `${GV}=true` });
  });
  after(async () => {
    await ts?.stop();
    await etcd?.stop();
  });

  it('an object written through v1alpha1 is stored as storage.k8s.io/v1beta1', async () => {
    await ok(ts, ['create', '-f', '-'], JSON.stringify(vac('gold', { driverName: 'ebs.csi.aws.com', parameters: { iops: '16000' } })));
    const stored = execFileSync('etcdctl', ['--endpoints', etcd.endpoint, 'get', '--print-value-only', '/registry/volumeattributesclasses/gold'], { env: { ...process.env, ETCDCTL_API: '3' } });
    assert.ok(stored.includes(Buffer.from('storage.k8s.io/v1beta1')), stored.toString('latin1'));
    // The envelope's type names v1beta1 (managedFields keep the version the manager wrote through, as upstream's do).
    assert.ok(stored.subarray(0, 40).includes(Buffer.from('storage.k8s.io/v1beta1')), stored.toString('latin1'));
  });
});
