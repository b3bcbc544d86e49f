/**
 * coordination.k8s.io LeaseCandidate through kubectl 1.33: v1beta1 (off by default, a beta
 * introduced after 1.24, and the storage version) and v1alpha2 (alpha), each served only when
 * --runtime-config turns it on; upstream's validation messages, the spec.leaseName field
 * selector and upstream's columns NAME LEASENAME BINARYVERSION EMULATIONVERSION AGE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runKubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BETA = 'coordination.k8s.io/v1beta1';
const ALPHA = 'coordination.k8s.io/v1alpha2';
let off: TestServer;
let beta: TestServer;
let alpha: TestServer;
const k = (ts: TestServer, args: string[], stdin?: string) => runKubectl(33, ts.server.kubeconfigPath, args, stdin);

async function ok(ts: TestServer, args: string[], stdin?: string): Promise<string> {
  const res = await k(ts, args, stdin);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

async function refused(ts: TestServer, obj: unknown, message: string): Promise<void> {
  const res = await k(ts, ['create', '-f', '-'], JSON.stringify(obj));
  assert.notEqual(res.code, 0, res.stdout);
  assert.ok(res.stderr.includes(message), res.stderr);
}

const candidate = (apiVersion: string, name: string, spec: Record<string, unknown>) => ({ apiVersion, kind: 'LeaseCandidate', metadata: { name, namespace: 'default' }, spec });
const spec = { leaseName: 'kube-controller-manager', binaryVersion: '1.33.1', emulationVersion: '1.33.0', strategy: 'OldestEmulationVersion' };

before(async () => {
  [off, beta, alpha] = await Promise.all([startTestServer(), startTestServer({ runtimeConfig: `${BETA}=true` }), startTestServer({ runtimeConfig: `${ALPHA}=true` })]);
});
after(async () => {
  await Promise.all([off?.stop(), beta?.stop(), alpha?.stop()]);
});

describe('LeaseCandidate through kubectl 1.33', () => {
  it('discovery: neither version by default; each when turned on; coordination.k8s.io/v1 stays preferred', async () => {
    const versions = async (ts: TestServer) => (await ok(ts, ['api-versions'])).split('\n').filter((v) => v.startsWith('coordination.k8s.io/'));
    assert.deepEqual(await versions(off), ['coordination.k8s.io/v1']);
    assert.deepEqual(await versions(beta), ['coordination.k8s.io/v1', BETA]);
    assert.deepEqual(await versions(alpha), ['coordination.k8s.io/v1', ALPHA]);
    assert.match((await k(off, ['get', 'leasecandidates'])).stderr, /the server doesn't have a resource type "leasecandidates"/);
    const rows = (await ok(beta, ['api-resources', '--api-group=coordination.k8s.io', '--no-headers'])).trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows, [
      ['leasecandidates', BETA, 'true', 'LeaseCandidate'],
      ['leases', 'coordination.k8s.io/v1', 'true', 'Lease'],
    ]);
  });

  it('v1beta1: create, read, list by spec.leaseName, print, patch (leaseName fixed), delete', async () => {
    await ok(beta, ['create', '-f', '-'], JSON.stringify(candidate(BETA, 'kcm-node-1', spec)));
    await ok(beta, ['create', '-f', '-'], JSON.stringify(candidate(BETA, 'sched-node-1', { leaseName: 'kube-scheduler', binaryVersion: '1.33.1', strategy: 'example.com/NewestBinary' })));
    const got = JSON.parse(await ok(beta, ['get', 'leasecandidate', 'kcm-node-1', '-o', 'json']));
    assert.equal(got.apiVersion, BETA);
    assert.deepEqual(got.spec, spec);

    const table = (await ok(beta, ['get', 'leasecandidates'])).trimEnd().split('\n');
    assert.match(table[0]!, /^NAME\s+LEASENAME\s+BINARYVERSION\s+EMULATIONVERSION\s+AGE$/);
    assert.match(table[1]!, /^kcm-node-1\s+kube-controller-manager\s+1\.33\.1\s+1\.33\.0\s+\S+$/);
    assert.match(table[2]!, /^sched-node-1\s+kube-scheduler\s+1\.33\.1\s+\S+$/);
    const selected = await ok(beta, ['get', 'leasecandidates', '--field-selector', 'spec.leaseName=kube-scheduler', '-o', 'name']);
    assert.equal(selected.trim(), 'leasecandidate.coordination.k8s.io/sched-node-1');

    await ok(beta, ['patch', 'leasecandidate', 'kcm-node-1', '--type=merge', '-p', JSON.stringify({ spec: { renewTime: '2026-01-01T00:00:00.000000Z', binaryVersion: '1.34.0' } })]);
    const patched = JSON.parse(await ok(beta, ['get', 'leasecandidate', 'kcm-node-1', '-o', 'json']));
    assert.equal(patched.spec.binaryVersion, '1.34.0');
    assert.equal(patched.spec.renewTime, '2026-01-01T00:00:00.000000Z');
    const moved = await k(beta, ['patch', 'leasecandidate', 'kcm-node-1', '--type=merge', '-p', '{"spec":{"leaseName":"other"}}']);
    assert.notEqual(moved.code, 0);
    assert.ok(moved.stderr.includes('The LeaseCandidate "kcm-node-1" is invalid: spec.leaseName: Invalid value: "other": field is immutable'), moved.stderr);

    await ok(beta, ['delete', 'leasecandidates', 'kcm-node-1', 'sched-node-1']);
    assert.equal((await ok(beta, ['get', 'leasecandidates', '-o', 'name'])).trim(), '');
  });

  it("upstream's messages: required fields, semantic versions, their order, the strategy", async () => {
    await refused(beta, candidate(BETA, 'c', { ...spec, binaryVersion: '' }), 'The LeaseCandidate "c" is invalid: spec.binaryVersion: Required value');
    await refused(beta, candidate(BETA, 'c', { ...spec, emulationVersion: '1.33' }), 'spec.emulationVersion: Invalid value: "1.33": must be a valid semantic version');
    await refused(beta, candidate(BETA, 'c', { ...spec, binaryVersion: '1.32.0' }), 'The LeaseCandidate "c" is invalid: spec.binaryVersion: Invalid value: "1.32.0": must be greater than or equal to `emulationVersion`');
    await refused(beta, candidate(BETA, 'c', { ...spec, strategy: 'NewestBinary' }), 'The LeaseCandidate "c" is invalid: spec.strategy.strategy: Unsupported value: "NewestBinary": supported values: "OldestEmulationVersion"');
    await refused(beta, candidate(BETA, 'c', { ...spec, emulationVersion: '' }), "The LeaseCandidate \"c\" is invalid: spec.emulationVersion: Required value: must be specified when `strategy` is 'OldestEmulationVersion'");
  });

  it('v1alpha2 alone serves the same kind, stored as v1beta1 though v1beta1 is not served', async () => {
    await ok(alpha, ['create', '-f', '-'], JSON.stringify(candidate(ALPHA, 'kcm-node-2', spec)));
    const got = JSON.parse(await ok(alpha, ['get', 'leasecandidates.v1alpha2.coordination.k8s.io', 'kcm-node-2', '-o', 'json']));
    assert.equal(got.apiVersion, ALPHA);
    assert.deepEqual(got.spec, spec);
    const table = (await ok(alpha, ['get', 'leasecandidates'])).trimEnd().split('\n');
    assert.match(table[1]!, /^kcm-node-2\s+kube-controller-manager\s+1\.33\.1\s+1\.33\.0\s+\S+$/);
    await refused(alpha, candidate(ALPHA, 'bad', { ...spec, leaseName: '' }), 'The LeaseCandidate "bad" is invalid: spec.leaseName: Required value');
    await ok(alpha, ['delete', 'leasecandidate', 'kcm-node-2']);
  });
});
