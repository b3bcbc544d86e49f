/**
 * networking.k8s.io/v1beta1 IPAddress and ServiceCIDR through kubectl 1.33: off by default as
 * upstream 1.33 (a beta introduced after 1.24), served once --runtime-config turns the version
 * on, the same stored objects as v1 (written through one version, read through the other),
 * v1's validation and printer columns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const GV = 'networking.k8s.io/v1beta1';
let off: TestServer;
let on: TestServer;
const k = (ts: TestServer, args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(ts: TestServer, args: string[], stdin?: string): Promise<string> {
  const res = await k(ts, args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

before(async () => {
  [off, on] = await Promise.all([startTestServer(), startTestServer({ runtimeConfig: `${GV}=true` })]);
});
after(async () => {
  await Promise.all([off?.stop(), on?.stop()]);
});

describe('networking.k8s.io/v1beta1 through kubectl 1.33', () => {
  it('discovery lists the version only when --runtime-config turns it on; v1 stays preferred', async () => {
    assert.ok(!(await ok(off, ['api-versions'])).split('\n').includes(GV));
    const res = await k(off, ['get', `ipaddresses.v1beta1.networking.k8s.io`]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /the server doesn't have a resource type "ipaddresses"/);

    assert.ok((await ok(on, ['api-versions'])).split('\n').includes(GV));
    const raw = JSON.parse(await ok(on, ['get', '--raw', `/apis/${GV}`])) as { resources: Array<{ name: string; shortNames?: string[]; namespaced: boolean }> };
    assert.deepEqual(
      raw.resources.map((r) => [r.name, r.namespaced, r.shortNames ?? []]),
      [
        ['ipaddresses', false, ['ip']],
        ['servicecidrs', false, []],
        ['servicecidrs/status', false, []],
      ],
    );
    const group = JSON.parse(await ok(on, ['get', '--raw', '/apis/networking.k8s.io'])) as { preferredVersion: { groupVersion: string } };
    assert.equal(group.preferredVersion.groupVersion, 'networking.k8s.io/v1');
  });

  it('IPAddress: created through v1beta1, read through v1 and back, patched, printed, deleted', async () => {
    const obj = { apiVersion: GV, kind: 'IPAddress', metadata: { name: '192.168.7.9' }, spec: { parentRef: { group: 'gateway.networking.k8s.io', resource: 'gateways', namespace: 'default', name: 'edge' } } };
    await ok(on, ['create', '-f', '-'], JSON.stringify(obj));
    const beta = JSON.parse(await ok(on, ['get', 'ipaddresses.v1beta1.networking.k8s.io', '192.168.7.9', '-o', 'json']));
    assert.equal(beta.apiVersion, GV);
    assert.deepEqual(beta.spec, obj.spec);
    const v1 = JSON.parse(await ok(on, ['get', 'ipaddresses.v1.networking.k8s.io', '192.168.7.9', '-o', 'json']));
    assert.equal(v1.apiVersion, 'networking.k8s.io/v1');
    assert.equal(v1.metadata.uid, beta.metadata.uid);

    await ok(on, ['patch', 'ipaddresses.v1beta1.networking.k8s.io', '192.168.7.9', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"edge"}}}']);
    const table = (await ok(on, ['get', 'ipaddresses.v1beta1.networking.k8s.io', '192.168.7.9'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+PARENTREF$/);
    assert.match(table[1]!, /^192\.168\.7\.9\s+gateways\.gateway\.networking\.k8s\.io\/default\/edge$/);

    const moved = await k(on, ['patch', 'ipaddresses.v1beta1.networking.k8s.io', '192.168.7.9', '--type=merge', '-p', '{"spec":{"parentRef":{"name":"other"}}}']);
    assert.notEqual(moved.code, 0);
    assert.ok(moved.stderr.includes('The IPAddress "192.168.7.9" is invalid: spec.parentRef: Invalid value:'), moved.stderr);
    assert.ok(moved.stderr.includes('field is immutable'), moved.stderr);

    await ok(on, ['delete', 'ipaddresses.v1beta1.networking.k8s.io', '192.168.7.9']);
    const gone = await k(on, ['get', 'ipaddresses.v1.networking.k8s.io', '192.168.7.9']);
    assert.match(gone.stderr, /NotFound|not found/);
  });

  it("IPAddress: upstream's message for a name not in canonical form", async () => {
    const res = await k(on, ['create', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'IPAddress', metadata: { name: '2001:db8:0:0:0::1' }, spec: { parentRef: { resource: 'gateways', name: 'edge' } } }));
    assert.notEqual(res.code, 0);
    assert.ok(res.stderr.includes('The IPAddress "2001:db8:0:0:0::1" is invalid: metadata.name: Invalid value: "2001:db8:0:0:0::1": must be in canonical form ("2001:db8::1")'), res.stderr);
  });

  it("ServiceCIDR: the bootstrap range reads through v1beta1; one created there prints NAME CIDRS AGE and keeps upstream's rules", async () => {
    const boot = JSON.parse(await ok(on, ['get', 'servicecidrs.v1beta1.networking.k8s.io', 'kubernetes', '-o', 'json']));
    assert.equal(boot.apiVersion, GV);
    assert.deepEqual(boot.spec.cidrs, ['10.0.0.0/24']);

    await ok(on, ['create', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs: ['10.97.0.0/16'] } }));
    const table = (await ok(on, ['get', 'servicecidrs.v1beta1.networking.k8s.io', 'extra'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+CIDRS\s+AGE$/);
    assert.match(table[1]!, /^extra\s+10\.97\.0\.0\/16\s+\S+$/);
    const v1 = JSON.parse(await ok(on, ['get', 'servicecidrs.v1.networking.k8s.io', 'extra', '-o', 'json']));
    assert.deepEqual(v1.spec.cidrs, ['10.97.0.0/16']);
    await ok(on, ['delete', 'servicecidrs.v1beta1.networking.k8s.io', 'extra']);

    const bad = await k(on, ['create', '-f', '-'], JSON.stringify({ apiVersion: GV, kind: 'ServiceCIDR', metadata: { name: 'bad' }, spec: { cidrs: ['10.96.0.1/16'] } }));
    assert.notEqual(bad.code, 0);
    assert.ok(bad.stderr.includes('The ServiceCIDR "bad" is invalid: spec.cidrs[0]: Invalid value: "10.96.0.1/16": must not have bits set beyond the prefix length'), bad.stderr);
  });
});
